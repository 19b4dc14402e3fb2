"""Shared event plumbing: the embedded NATS server, streams, relays and inboxes."""
