"""Notify: reaches every worker on a channel they can use and takes their answer exactly once."""
