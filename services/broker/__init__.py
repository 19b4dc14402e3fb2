"""The broker: job requests, carving tasks, the worker registry, offers and completion."""
