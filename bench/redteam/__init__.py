"""The red-team bench (run.py); not part of the product or its test suite."""
