"""Notify's domain: offers as a worker sees them, their tasks, and each delivery."""
