"""nn-backprop's grader, one package per process tier; each imports only from tiers below it.

cli.py (the command line) > devtools > integrations (nbgrader, Gradescope) > coordinator (the
process you run) > grading (each shard process) > outputs > spec (the assignment's declaration,
config.yaml, the named mistakes) > sandbox (slots, backends, the worker beside student code) > core.
README, "How the grader is built", draws it; tests/test_structure.py holds the code to it.
"""
