"""Benchmarks for sume-async against the alternatives a user would otherwise pick.

Run everything with ``make bench`` (or ``python -m benchmarks``), some of it with
``python -m benchmarks overhead imports``, a fast smoke run with ``--quick``. Each
benchmark prints a table and merges its numbers into ``benchmarks/results.json``.
"""
