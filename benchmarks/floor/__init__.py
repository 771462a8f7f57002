"""Benchmark-only "Django floor": the least a Django + DRF order endpoint on this stack can cost.

Mounted only by `benchmarks.floor.settings` (the benchmark's settings module); the product's settings and
URLconf never include it. See benchmarks/bench_orders.py.
"""
