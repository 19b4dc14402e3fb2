"""Notify's HTTP edge: the worker page, the coordinator's call list, the LINE webhook."""
