"""Benchmarks: scripts that time the pipeline (``make bench``); never run as tests."""
