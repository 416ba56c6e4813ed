"""Async-first Python SDK for the Sume Public API."""
