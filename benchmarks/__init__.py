"""Benchmarks and the per-agent reference formulation of the worker rules (not run by CI)."""
