"""The mark a hidden test carries: which rubric item it grades and which named mistakes it recognises."""
from __future__ import annotations

import pytest


def rubric(item_id: str, misconceptions: tuple[str, ...] = ()):
    """Mark a hidden test as grading one rubric item (config.yaml), naming the mistakes it can recognise
    (spec/mistakes.py); config.yaml gives each of those its credit for this item."""
    return pytest.mark.rubric(item_id, misconceptions=tuple(misconceptions))
