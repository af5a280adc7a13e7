"""Benchmarks at county and city scale: `python -m benchmarks --scale county|city|tiny`.

Each workload is timed after a warm-up, several runs, and reported as the median with its
spread, next to a baseline measured in the same run on the same rows (a hand-written SQL
floor, a per-row loop, a minimal view), so that the ratio means something on a noisy shared
machine. The data is built in bulk into its own PostgreSQL database, kept between runs.
Benchmarks are code, not tests: `make test` does not run them; CI runs `--smoke`.
"""
