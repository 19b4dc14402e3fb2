"""The one translator from notify's private events to its public contract events."""
