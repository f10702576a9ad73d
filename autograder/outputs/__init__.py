"""What grading produces: per-student results, feedback pages, the class report."""
