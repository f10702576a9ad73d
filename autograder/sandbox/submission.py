"""Calls into one submission's code, from the grader: plain data in, plain data out.

A `Submission` talks to its child process over three pipes the grader owns:
requests, answers (wire frames) and output (captured, capped). Every wait has a
deadline; a child that overruns is killed with every process it started, and
the next call gets a fresh child.
"""
from __future__ import annotations

import os
import select
import time

from autograder.core.ids import printable
from autograder.sandbox.limits import CRASHED, ERROR, INVALID, LIMIT, OK, TIMEOUT, UNAVAILABLE, Outcome
from autograder.sandbox.slot import Slot, WorkerStartError, read_some
from autograder.sandbox.worker.wire import UNPACK_FACTOR, WireError, digest, dumps, loads_sized

SLOW_READER = "did not take in its inputs within the time limit per call"
UNPACKED_PER_SUBMISSION = 32  # all answers of a submission may unpack to 32 times result_kb (128 MiB by default)


def room_mb(limits) -> int:
    return limits.result_kb * UNPACKED_PER_SUBMISSION >> 10
_SIGNAL_REASONS = {  # each completes "<function> ..."
    9: "was killed: it ran past a limit (CPU time or memory)",
    24: "used more CPU time than allowed (CPU limit)",
    25: "wrote a file larger than allowed (file size limit)",
    11: "crashed with a segmentation fault",
    6: "aborted the process",
}


class Submission:
    """Calls into one submission's code. Answers are kept: a list of cases or equal arguments run once.

    `call_many` sends all cases of a function in one request; the worker answers
    case by case, and each answer has its own deadline (the per-call limit).
    """

    def __init__(self, slot: Slot, files: dict[str, bytes], refused: dict[str, str] | None = None):
        """Puts `files` in the slot; `refused`: graded module files the submission has, not read, and why."""
        slot.take(files)
        self.slot = slot
        self.refused = refused or {}  # module file -> why it was not read (it is there: not "missing")
        self.limits = slot.limits
        self.child = None  # (pid, req_w, resp_r, out_r)
        self.inbox = bytearray()  # bytes read from the child not yet consumed as frames
        self.imported: dict[str, Outcome] = {}
        self.cache: dict[bytes, Outcome] = {}
        self.lists: dict[tuple, tuple[list, list[Outcome]]] = {}
        self.stuck: dict[tuple[str, str], Outcome] = {}
        self.used_seconds = 0.0  # wall time spent waiting on calls into student code
        self.children = 0  # processes started for this submission
        self.output = bytearray()
        self.output_total = 0
        self.limit_hits: list[str] = []
        self.stood_in: tuple[str, str] | None = None  # the function this process was given stand-ins for
        self.unpacked = 0  # bytes the answers kept so far unpacked to

    # -- public -----------------------------------------------------------------------
    def import_module(self, module: str) -> Outcome:
        """Import a student module in the worker (once); the value lists its public names.

        The first import brings in every graded module of the submission in one request;
        a module after one that hangs or crashes is left to be imported on its own.
        """
        if module not in self.imported:
            batch = [module] + [m for m in self.slot.modules if m != module and m not in self.imported]
            answers = self._request({"op": "import", "modules": batch}, len(batch), (module, "<import>"), batch)
            for name, outcome in zip(batch, answers):
                if outcome.ok and not (isinstance(outcome.value, list) and all(type(n) is str for n in outcome.value)):
                    # the worker answers an import with the module's names: this came from the student's code
                    self._end_child()
                    outcome = Outcome(INVALID, reason="it answered for the grader with something of its own")
                self.imported[name] = outcome
                if outcome.kind in (TIMEOUT, CRASHED, LIMIT, INVALID):
                    break
        return self.imported[module]

    def unavailable(self) -> dict[str, str]:
        """{module: why none of it could be called} for each graded module not read, missing or not imported,
        in the words every call into it failed with."""
        why = {f[:-3]: f"{f[:-3]}.py was not graded: it {reason}" for f, reason in self.refused.items()}
        why.update({m: _unavailable(m, outcome) for m, outcome in self.imported.items() if not outcome.ok})
        return why

    def call(self, module: str, function: str, *args, **kwargs) -> Outcome:
        """Call module.function(*args, **kwargs) in the worker; plain data in, plain data out."""
        return self._call_once(module, function, args, kwargs)

    def call_many(self, module: str, function: str, cases: list, given: dict | None = None) -> list[Outcome]:
        """module.function(*args) for each args in cases: one Outcome per case, in order.

        The same list (one student's cases) is graded by several items: it is answered once.
        `given` maps a helper's name to a table [[args, value], ...]: while the function runs,
        that helper answers `value` for inputs close to `args` (its own code runs for any other),
        so an item is judged on its own when a helper it uses is wrong. Whether it is given
        never depends on an earlier answer: the grader calls the same way for everyone.
        """
        entry = self.lists.get((module, function, id(cases)))
        if entry is None or entry[0] is not cases:  # the entry keeps the list alive: its id is not reused
            entry = self.lists[(module, function, id(cases))] = (cases, self._run(module, function, cases, None, given))
        return entry[1]

    def _call_once(self, module: str, function: str, args, kwargs) -> Outcome:
        """One call, answered once per equal arguments (items retry the same inputs)."""
        key = digest([module, function, list(args), kwargs or {}])
        if key not in self.cache:
            self.cache[key] = self._run(module, function, [args], kwargs)[0]
        return self.cache[key]

    def _run(self, module: str, function: str, cases: list, kwargs=None, given=None) -> list[Outcome]:
        if f"{module}.py" in self.refused:
            return [Outcome(UNAVAILABLE, reason=f"{module}.py was not graded: it {self.refused[module + '.py']}")
                    for _ in cases]
        imported = self.import_module(module)
        if not imported.ok:
            return [Outcome(UNAVAILABLE, reason=_unavailable(module, imported), traceback=imported.traceback)
                    for _ in cases]
        if function not in imported.value:
            return [Outcome(UNAVAILABLE, reason=f"{module}.py has no {function}: define it with that exact name")
                    for _ in cases]
        request = {"op": "call", "module": module, "function": function, "cases": [list(args) for args in cases],
                   "kwargs": kwargs or {}}
        if given:
            request["given"] = given
        self._note_stand_ins([(module, function, cases, given)])
        return self._request(request, len(cases), (module, function))

    def close(self) -> None:
        """End this submission's process; the slot confirms it before the next submission starts."""
        if self.child is not None:
            pid, req_w, resp_r, out_r = self.child
            self.child = None
            for fd in (req_w, resp_r, out_r):
                os.close(fd)
            self.slot.end_child_later()

    # -- plumbing ------------------------------------------------------------------------
    def _request(self, request: dict, answers: int, who: tuple[str, str], modules: list[str] = ()) -> list[Outcome]:
        """Send one request; read `answers` frames, each within the per-call limit (`modules`: those imported)."""
        if who in self.stuck:
            return [Outcome(self.stuck[who].kind, reason=f"was not run again: {self.stuck[who].reason} "
                                                         "on an earlier case")] * answers
        if self.limits.submission_seconds - self.used_seconds <= 0:
            return [Outcome(LIMIT, reason=f"not run: the submission used up its {self.limits.submission_seconds:g} s "
                                          "time limit (submission_seconds)")] * answers
        if self.child is None:
            failed = self._start_child(who, request["op"])
            if failed is not None:
                return [failed] * answers
        try:
            self._send(dumps(request))
        except BrokenPipeError:
            return self._settled([self._fail(CRASHED, None)], answers, who, request["op"], modules)
        except TimeoutError:
            return self._settled([self._fail(TIMEOUT, SLOW_READER)], answers, who, request["op"], modules)
        return self._collect(answers, who, request["op"], modules)

    def prefetch(self, calls: list[tuple[str, str, list, dict | None]]) -> None:
        """Ask for several functions' lists of cases in few requests, answered as `call_many` would.

        Fewer round trips, the same answers: the worker runs them in this order, each case
        with its own deadline. If one crashes or runs out of time, the lists after it are
        left to `call_many`, in a fresh process. Any trouble here is left to it too.
        A call with stand-in helpers (`given`) goes in a request of its own, sent only once
        every answer before it is in: its tables hold the grader's answers for its inputs,
        and no other function may run while they are in the worker (or in the request pipe,
        which student code can read).
        """
        wanted = []
        try:
            wanted = [(m, f, cases, given) for m, f, cases, given in calls
                      if (m, f, id(cases)) not in self.lists and (m, f) not in self.stuck
                      and self.import_module(m).ok and f in self.imported[m].value]
            batches: list[list] = []
            for call in wanted:
                if call[3] or not batches or batches[-1][-1][3]:
                    batches.append([])
                batches[-1].append(call)
            for batch in batches:
                self._note_stand_ins(batch)
                if self.child is None or self.limits.submission_seconds <= self.used_seconds:
                    break
                self._send(dumps({"op": "calls", "calls": [{"module": m, "function": f, "kwargs": {},
                                                            "given": given or {}, "cases": [list(a) for a in cases]}
                                                           for m, f, cases, given in batch]}))
                for m, f, cases, _ in batch:
                    if self.child is None or self.limits.submission_seconds <= self.used_seconds:
                        break
                    self.lists[(m, f, id(cases))] = (cases, self._collect(len(cases), (m, f), "call"))
                    if cases == [()]:  # no arguments: this is also what call(module, function) answers
                        self.cache[digest([m, f, [], {}])] = self.lists[(m, f, id(cases))][1][0]
                if any((m, f, id(cases)) not in self.lists for m, f, cases, _ in batch):
                    break
        except Exception:  # noqa: BLE001 - only a shortcut: call_many does it again and reports
            pass
        if self.child is not None and any((m, f, id(cases)) not in self.lists for m, f, cases, _ in wanted):
            self._end_child()  # answers may still be coming: none may be read as another call's

    def _note_stand_ins(self, calls: list) -> None:
        """Stand-ins (the grader's answers for some inputs) reach one function only: a process that has had
        them runs nothing else, since it could have kept them. Another function called after them runs in a
        fresh process (forked from the zygote, with a /tmp of its own: nothing of the old one's is left).
        The grader calls the functions given stand-ins last (Cases.calls), so this is rare."""
        for m, f, _, given in calls:
            if self.stood_in not in (None, (m, f)) and self.child is not None:
                self._end_child()
            if given:
                self.stood_in = (m, f)

    def _collect(self, answers: int, who: tuple[str, str], op: str, modules: list[str] = ()) -> list[Outcome]:
        """Read `answers` frames of a request already sent, each within the per-call limit."""
        outcomes = []
        for _ in range(answers):
            budget = self.limits.submission_seconds - self.used_seconds
            outcome = self._receive(min(self.limits.call_seconds, budget))
            outcomes.append(outcome)
            if self.child is None:  # it died or was stopped: the rest never ran
                break
        return self._settled(outcomes, answers, who, op, modules)

    def _settled(self, outcomes: list[Outcome], answers: int, who: tuple[str, str], op: str,
                 modules: list[str] = ()) -> list[Outcome]:
        """Name the function in failures; after a crash or a limit, the rest were not run."""
        for outcome in outcomes:
            if outcome.kind == TIMEOUT:
                outcome.reason += (": look for an endless loop" if op == "call" else
                                   ": look for an endless loop or slow work outside your functions")
            if not outcome.ok and op != "call" and outcome.kind != ERROR:
                outcome.reason = f"it {outcome.reason}"
            elif op == "call" and not outcome.ok:
                outcome.reason = f"{who[1]} {outcome.reason}"
        last = outcomes[-1]
        if last.kind in (TIMEOUT, CRASHED, LIMIT):
            self.stuck[who] = last
            if op == "call":
                self.limit_hits.append(f"{who[0]}.py: {last.reason}")
            else:
                where = modules[len(outcomes) - 1] if len(outcomes) <= len(modules) else who[0]
                self.limit_hits.append(f"{where}.py could not be imported: {last.reason}")
        while len(outcomes) < answers:
            outcomes.append(Outcome(last.kind, reason=f"was not run: {last.reason} on an earlier case"))
        return outcomes

    def _start_child(self, who, op) -> Outcome | None:
        try:
            self.child = self.slot.spawn_child()
        except WorkerStartError as exc:
            if not self.children:
                raise  # nothing of the student's has run yet: the grader's fault
            outcome = Outcome(CRASHED, reason=f"could not be run again: an earlier call left the sandbox "
                                              f"unusable ({exc})")
            self.stuck[who] = outcome
            return outcome
        self.children += 1
        self.inbox.clear()
        back = [m for m, outcome in self.imported.items() if outcome.ok]
        if back:  # a fresh child: bring back the modules imported before (the request may need them, or a later one)
            try:
                self._send(dumps({"op": "import", "modules": back}))
            except (BrokenPipeError, TimeoutError):
                self._end_child()
                return Outcome(CRASHED, reason="could not be run again: its modules could not be imported again")
            for module in back:
                self._receive(self.limits.call_seconds)
                if self.child is None:
                    return Outcome(CRASHED, reason=f"could not be run again: importing {module}.py failed")
        return None

    def _send(self, payload: bytes) -> None:
        """Write a request to the child; it must take it within the per-call limit (TimeoutError if not).

        The pipe does not block: a child that shrinks it and stops reading costs its own time only.
        """
        started = time.monotonic()
        budget = max(0.0, min(self.limits.call_seconds, self.limits.submission_seconds - self.used_seconds))
        try:
            _write_all(self.child[1], len(payload).to_bytes(4, "big") + payload, started + budget)
        finally:
            self.used_seconds += time.monotonic() - started

    def _receive(self, seconds: float) -> Outcome:
        """The next answer frame, or the reason there is none (time, output or size limit, a crash)."""
        pid, req_w, resp_r, out_r = self.child
        started = time.monotonic()
        deadline = started + seconds
        cap = self.limits.result_kb * 1024
        out_cap = self.limits.output_kb * 1024
        try:
            while len(self.inbox) < 4 or len(self.inbox) - 4 < int.from_bytes(self.inbox[:4], "big"):
                if len(self.inbox) > cap + 4:
                    return self._fail(LIMIT, f"returned more than {self.limits.result_kb} KiB of data")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return self._fail(TIMEOUT, f"did not finish within {seconds:g} s (time limit per call)")
                ready, _, _ = select.select([resp_r, out_r], [], [], remaining)
                if out_r in ready and not self._take_output(read_some(out_r), out_cap):
                    return self._fail(LIMIT, f"printed more than {self.limits.output_kb} KiB "
                                             "(output limit): remove the prints in loops")
                if resp_r in ready:
                    chunk = read_some(resp_r)
                    if chunk == b"":
                        return self._fail(CRASHED, None)
                    self.inbox += chunk or b""
            # what the code printed before it answered (the worker flushes first) is in the pipe now
            while select.select([out_r], [], [], 0)[0]:
                chunk = read_some(out_r)
                if not chunk:
                    break
                if not self._take_output(chunk, out_cap):
                    return self._fail(LIMIT, f"printed more than {self.limits.output_kb} KiB "
                                             "(output limit): remove the prints in loops")
        finally:
            self.used_seconds += time.monotonic() - started
        size = int.from_bytes(self.inbox[:4], "big")
        frame = bytes(self.inbox[4 : 4 + size])
        del self.inbox[: 4 + size]
        room = self.limits.result_kb * 1024 * UNPACKED_PER_SUBMISSION - self.unpacked
        try:
            message, unpacked = loads_sized(frame, writable=False, max_unpacked=min(room, UNPACK_FACTOR * size + (64 << 10)))
        except Exception as exc:  # noqa: BLE001 - whatever the bytes, they are the student's: fail closed
            detail = str(exc) if isinstance(exc, WireError) else type(exc).__name__
            self._end_child()  # the stream cannot be trusted after a forged frame
            if room < UNPACK_FACTOR * size + (64 << 10):  # this submission's answers, all together, are too much
                return Outcome(LIMIT, reason=f"returned more than {room_mb(self.limits)} MiB of values in all "
                                             "(limits.result_kb)")
            return Outcome(INVALID, reason=f"returned something that is not plain numbers: {detail}")
        self.unpacked += unpacked  # kept until the submission is done: bounded, all answers together
        return _outcome(message)

    def _take_output(self, chunk: bytes | None, cap: int) -> bool:
        """Keep what the code printed, up to `cap` bytes; False once it printed more than that."""
        if chunk:  # b"" (closed) or None: nothing to add
            self.output_total += len(chunk)
            self.output += chunk[: max(0, cap - len(self.output))]
        return self.output_total <= cap

    def _fail(self, kind: str, reason: str | None) -> Outcome:
        status = self._end_child()
        if reason is None:
            reason = _death_reason(status)
            kind = LIMIT if "limit" in reason else CRASHED
        return Outcome(kind, reason=reason)

    def _end_child(self) -> str:
        pid, req_w, resp_r, out_r = self.child
        self.child, self.stood_in = None, None
        for fd in (req_w, resp_r, out_r):
            os.close(fd)
        return self.slot.kill_child()


def _write_all(fd: int, data: bytes, deadline: float) -> None:
    """All of data to a non-blocking pipe by the deadline (TimeoutError), whatever room the reader leaves."""
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
            raise TimeoutError
        try:
            view = view[os.write(fd, view[: 1 << 16]) :]
        except BlockingIOError:  # room for less than was offered: wait again
            continue


def _death_reason(status: str) -> str:
    if status.startswith("signal "):
        number = int(status.split()[1])
        return _SIGNAL_REASONS.get(number, f"was ended by signal {number}")
    if status.startswith("exit "):
        return (f"ended the process (exit code {status.split()[1]}): "
                "do not call sys.exit or os._exit in graded code")
    return "ended the process unexpectedly"


def _outcome(message) -> Outcome:
    if isinstance(message, dict) and set(message) == {"ok"}:
        return Outcome(OK, value=message["ok"])
    if isinstance(message, dict) and set(message) == {"error"} and isinstance(message["error"], dict):
        error = message["error"]  # the student's own words: shown escaped, never raw (controls, bidi, surrogates)
        kind, text = printable(str(error.get("type", "Exception"))[:80]), printable(str(error.get("message", ""))[:300])
        frames = [printable(str(f)[:300]) for f in error.get("traceback", [])][:8] \
            if isinstance(error.get("traceback"), list) else []
        if kind == "NotImplementedError" and text.endswith("is not implemented yet"):
            return Outcome(ERROR, reason="is not implemented yet")
        if kind == "SyntaxError" and error.get("line"):
            reason = (f"has a syntax error at line {printable(str(error['line']))[:12]}: {text} "
                      f"({printable(str(error.get('text', ''))[:120])})")
        elif kind == "UnsendableResult":
            reason = text
        else:
            reason = f"raised {kind}" + (f": {text}" if text else "")
        return Outcome(ERROR, reason=reason, traceback=frames)
    return Outcome(INVALID, reason="returned a malformed answer")


def _unavailable(module: str, imported: Outcome) -> str:
    if imported.kind == ERROR and "No module named" in imported.reason and module in imported.reason:
        return f"{module}.py is missing from the submission"
    return f"{module}.py could not be imported: it {imported.reason}" if imported.kind == ERROR \
        else f"{module}.py could not be imported: {imported.reason}"
