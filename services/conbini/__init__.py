"""The operator's command line: runs the whole marketplace on one machine."""
