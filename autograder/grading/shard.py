"""A grading shard: one pytest session and one worker slot, grading submissions from a queue.

Started by the coordinator's pool (`python -m autograder.grading.shard CONFIG INDEX [CPU]`);
jobs in and results out as protocol.py says. pytest's own output goes to stderr.
"""
from __future__ import annotations

import json
import os
import sys

from autograder.sandbox.backends import select_backend
from autograder.sandbox.slot import Slot, WorkerStartError
from autograder.spec.config import load_config, load_sandbox

UNUSED_PLUGINS = ("terminal", "cacheprovider", "logging", "warnings", "faulthandler", "unraisableexception",
                  "threadexception", "doctest", "junitxml", "pastebin", "stepwise", "legacypath", "tmpdir",
                  "monkeypatch", "recwarn", "setuponly", "setupplan", "unittest", "subtests", "debugging", "capture",
                  "skipping", "assertion")


def main(argv: list[str]) -> int:
    config_path, index = argv[0], int(argv[1])
    cpu = int(argv[2]) if len(argv) > 2 else None
    try:  # woken by each answer, it lets the worker finish its burst of answers first (3% less machine time)
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux
        pass
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    queue = os.fdopen(os.dup(0), "r")
    os.dup2(2, 1)  # anything printed from here on (pytest included) goes to stderr

    # The worker's zygote takes longest to start: it starts first, on any free core, while this
    # process imports pytest and collects the hidden tests; then it joins this process's core.
    limits, backend = load_sandbox(config_path)
    slot = Slot(select_backend(backend, str(config_path)), limits, index, os.environ.get("NNB_SLOT_PARENT"), cpu)
    slot.launch()
    if cpu is not None:  # a core of its own, shared with its sandboxed processes (warm caches)
        os.sched_setaffinity(0, {cpu})
    try:
        return _grade(config_path, slot, queue, channel)
    finally:
        slot.stop()


def _grade(config_path: str, slot: Slot, queue, channel) -> int:
    """Grade each job from `queue` in one pytest session; READY once the worker is up, then one result per job."""
    from autograder.grading import protocol
    from autograder.grading.job import SubmissionDir
    from autograder.grading.plugin import GradingPlugin, declared_tests

    config = load_config(config_path, declared_tests())
    failed = []

    def jobs():
        try:
            slot.wait_ready()
        except WorkerStartError as exc:  # raised again below, outside pytest: the log says why
            failed.append(exc)
            return
        channel.write(protocol.ready())
        for line in queue:
            yield SubmissionDir.from_message(json.loads(line))

    plugin = GradingPlugin(config, slot, jobs(), lambda result: channel.write(protocol.result(result.to_dict())))
    code = run_session(plugin)
    if failed:
        raise failed[0]
    return 0 if code in (0, 1) else int(code)


def run_session(plugin) -> int:
    """One pytest session over the declared questions' hidden tests only, grading every submission the plugin
    (a plugin.GradingPlugin) is given."""
    import pytest

    from autograder.grading.plugin import HIDDEN_DIR, hidden_test_files

    args = [*map(str, hidden_test_files()), "-c", str(HIDDEN_DIR / "pytest.ini"), "--rootdir", str(HIDDEN_DIR),
            "--confcutdir", str(HIDDEN_DIR)]
    for plugin_name in UNUSED_PLUGINS:  # each wraps every test; the hidden tests need none of them
        args += ["-p", f"no:{plugin_name}"]
    return pytest.main(args, plugins=[plugin])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
