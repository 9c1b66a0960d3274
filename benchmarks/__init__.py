"""Benchmarks of vaix-client against raw HTTP clients and other generated clients.

Run ``make bench`` (or ``python benchmarks/run.py --quick``); not part of ``make test``.
"""
