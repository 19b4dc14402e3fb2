"""Payout: rewards, the double-entry ledger, monthly payout runs and reconciliation."""
