"""A grading shard: one pytest session and one worker slot, grading submissions from a queue.

Started by the coordinator's pool (`python -m autograder.grading.shard CONFIG INDEX [CPU]`);
jobs in and results out as protocol.py says. pytest's own output goes to stderr.
"""
from __future__ import annotations

import json
import os
import sys

import pytest

from autograder.grading import protocol
from autograder.grading.job import SubmissionDir
from autograder.grading.plugin import HIDDEN_DIR, GradingPlugin, declared_tests, hidden_test_files
from autograder.sandbox.backends import select_backend
from autograder.sandbox.slot import Slot
from autograder.spec.config import load_config

UNUSED_PLUGINS = ("terminal", "cacheprovider", "logging", "warnings", "faulthandler", "unraisableexception",
                  "threadexception", "doctest", "junitxml", "pastebin", "stepwise", "legacypath", "tmpdir",
                  "monkeypatch", "recwarn", "setuponly", "setupplan", "unittest", "subtests", "debugging", "capture",
                  "skipping", "assertion")


def main(argv: list[str]) -> int:
    config_path, index = argv[0], int(argv[1])
    if len(argv) > 2:  # a core of its own: the sandbox and its processes inherit it
        os.sched_setaffinity(0, {int(argv[2])})
    try:  # woken by each answer, it lets the worker finish its burst of answers first (3% less machine time)
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux
        pass
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    queue = os.fdopen(os.dup(0), "r")
    os.dup2(2, 1)  # anything printed from here on (pytest included) goes to stderr

    config = load_config(config_path, declared_tests())
    slot = Slot(select_backend(config.backend, str(config.path)), config.limits, index, os.environ.get("NNB_SLOT_PARENT"))
    slot.start()

    def jobs():
        channel.write(protocol.ready())
        for line in queue:
            yield SubmissionDir.from_message(json.loads(line))

    plugin = GradingPlugin(config, slot, jobs(), lambda result: channel.write(protocol.result(result.to_dict())))
    try:
        code = run_session(plugin)
    finally:
        slot.stop()
    return 0 if code in (0, 1) else int(code)


def run_session(plugin: GradingPlugin) -> int:
    """One pytest session over the declared questions' hidden tests only, grading every submission the plugin is given."""
    args = [*map(str, hidden_test_files()), "-c", str(HIDDEN_DIR / "pytest.ini"), "--rootdir", str(HIDDEN_DIR),
            "--confcutdir", str(HIDDEN_DIR)]
    for plugin_name in UNUSED_PLUGINS:  # each wraps every test; the hidden tests need none of them
        args += ["-p", f"no:{plugin_name}"]
    return pytest.main(args, plugins=[plugin])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
