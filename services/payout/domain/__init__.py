"""Payout's domain: integer-yen arithmetic, rewards, the ledger, runs and bank files."""
