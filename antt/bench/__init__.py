"""National-scale synthetic dataset and the benchmarks run on it (issue 6)."""
