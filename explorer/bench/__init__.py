"""Benchmarks (`explorer bench load|queries|render`): rerunnable, reported as ratios.

See docs/loading.md (load) and docs/queries.md (queries) for how to read them.
"""
