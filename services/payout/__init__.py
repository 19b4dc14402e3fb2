"""Payout: rewards, a double-entry ledger, monthly payout runs with 全銀 files, reconciliation."""
