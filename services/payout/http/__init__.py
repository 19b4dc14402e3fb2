"""Payout's HTTP edge: rewards, bank accounts, runs, invoices, reconciliation (accountant)."""
