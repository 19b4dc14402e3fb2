"""How notify reacts to what the broker publishes: one module per reaction."""
