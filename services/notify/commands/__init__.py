"""What workers and coordinators ask notify to do: one module per use case."""
