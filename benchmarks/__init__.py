"""Benchmarks: each public module here with a `main(argv) -> int` is one benchmark (`python -m benchmarks`).

See benchmarks/README.md for what each measures and how to read its figures.
"""
