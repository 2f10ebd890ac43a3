"""Helpers shared by the tests: factories, a real SMTP sink, processes, feed oracles."""
