"""The one translator from payout's private events to its public contract events."""
