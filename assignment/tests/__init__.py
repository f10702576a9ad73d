"""The public self-checks as pytest tests (see test_selfcheck.py)."""
