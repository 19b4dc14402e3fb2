"""End-to-end tests: the product's own commands as real processes."""
