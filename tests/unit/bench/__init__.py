"""Unit tests of the benchmarks' own machinery."""
