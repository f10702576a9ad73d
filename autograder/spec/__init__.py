"""What is graded and how: the assignment declaration, config.yaml (rubric and settings), the named mistakes."""
