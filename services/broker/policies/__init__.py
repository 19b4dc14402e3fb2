"""How the broker reacts to other services' events."""
