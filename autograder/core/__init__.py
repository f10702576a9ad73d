"""Shared utilities with no dependencies: student ids as data, writing files, removing trees."""
