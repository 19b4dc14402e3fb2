"""What the accountant asks payout to do: one module per use case."""
