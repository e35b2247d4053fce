"""Benchmarks of SPEC §8: each prints medians and the ratio to a reference measured in the same run."""
