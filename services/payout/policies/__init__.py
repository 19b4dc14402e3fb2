"""How payout reacts to what the broker publishes: one module per reaction."""
