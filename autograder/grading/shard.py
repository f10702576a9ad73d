"""A grading shard: one pytest session and one worker slot, grading submissions from a queue.

Run by the batch (`python -m autograder.grading.shard CONFIG INDEX [CPU]`). Jobs arrive
on stdin as JSON lines; the shard answers on stdout with one JSON line per event:
{"ready": true} once started, then {"result": {...}} per submission. pytest's own
output goes to stderr.
"""
from __future__ import annotations

import json
import os
import sys

import pytest

from autograder.spec.config import load_config
from autograder.grading.plugin import HIDDEN_DIR, GradingPlugin, declared_tests
from autograder.coordinator.discover import SubmissionDir
from autograder.sandbox.backends import select_backend
from autograder.sandbox.slot import Slot


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

    def send(message: dict) -> None:
        channel.write(json.dumps(message) + "\n")

    config = load_config(config_path, declared_tests())
    slot = Slot(select_backend(config.backend), config.limits, index, os.environ.get("NNB_SLOT_PARENT"))
    slot.start()

    def jobs():
        send({"ready": True})
        for line in queue:
            yield SubmissionDir.from_message(json.loads(line))

    plugin = GradingPlugin(config, slot, jobs(), lambda result: send({"result": result.to_dict()}))
    try:
        code = run_session(plugin)
    finally:
        slot.stop()
    return 0 if code in (0, 1) else int(code)


def run_session(plugin: GradingPlugin) -> int:
    """One pytest session over the hidden tests only, grading every submission the plugin is given."""
    args = [str(HIDDEN_DIR), "-c", str(HIDDEN_DIR / "pytest.ini"), "--rootdir", str(HIDDEN_DIR),
            "--confcutdir", str(HIDDEN_DIR)]
    for plugin_name in UNUSED_PLUGINS:  # each wraps every test; the hidden tests need none of them
        args += ["-p", f"no:{plugin_name}"]
    return pytest.main(args, plugins=[plugin])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
