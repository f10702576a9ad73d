"""Hidden grading tests: one module per question. Run only through the grader's plugin."""
