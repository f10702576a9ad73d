"""Around the grader: the nbgrader course, exchange and gradebook; Gradescope."""
