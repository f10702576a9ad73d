"""The grading process (a shard): pytest over the hidden tests, cases, reference, scoring, recognised mistakes."""
