"""Plain-data wire format between the grader and a worker. Never pickle.

A message is a JSON document in which numpy arrays (and numpy or complex scalars)
are replaced by {"$nd": i}, the i-th `.npy` blob that follows the JSON.
Tuples are {"$tuple": [...]}, dicts {"$dict": [[key, value], ...]} with str keys.

Frame layout (all lengths big-endian uint32):
    len(json) json  count  (len(blob) blob)*count

`loads` is strict and is what the grader relies on: `allow_pickle=False`,
dtype kind in "biufc", caps on total bytes, blob count and array size.
"""
from __future__ import annotations

import io
import json
import struct

import numpy as np

ARRAY_KINDS = "biufc"
MAX_DEPTH = 32
_U32 = struct.Struct(">I")


class WireError(ValueError):
    """A message that is not valid plain data (or exceeds a cap)."""


def dumps(value) -> bytes:
    """Encode plain data: None, bool, int, float, str, list, tuple, dict[str, ...], numpy arrays/scalars."""
    blobs: list[bytes] = []

    def enc(v, depth=0):
        if depth > MAX_DEPTH:
            raise TypeError(f"nested more than {MAX_DEPTH} levels deep")
        if v is None or type(v) in (bool, int, float, str):
            return v
        if isinstance(v, (np.ndarray, np.generic, complex)):
            buf = io.BytesIO()
            np.save(buf, np.asarray(v), allow_pickle=False)
            blobs.append(buf.getvalue())
            return {"$nd": len(blobs) - 1}
        if type(v) is list:
            return [enc(x, depth + 1) for x in v]
        if type(v) is tuple:
            return {"$tuple": [enc(x, depth + 1) for x in v]}
        if type(v) is dict:
            if not all(type(k) is str for k in v):
                raise TypeError("a dict with keys that are not strings")
            return {"$dict": [[k, enc(x, depth + 1)] for k, x in v.items()]}
        raise TypeError(f"a value of type {type(v).__name__}, which is not numbers, arrays, lists, tuples or dicts")

    header = json.dumps(enc(value), allow_nan=True).encode()
    parts = [_U32.pack(len(header)), header, _U32.pack(len(blobs))]
    for blob in blobs:
        parts += [_U32.pack(len(blob)), blob]
    return b"".join(parts)


def loads(data: bytes, *, max_blobs: int = 4096, max_elements: int = 10_000_000):
    """Decode a message produced by `dumps`, refusing anything but plain data."""
    view = memoryview(data)
    pos = 0

    def take(n):
        nonlocal pos
        if pos + n > len(view):
            raise WireError("truncated message")
        chunk = view[pos : pos + n]
        pos += n
        return chunk

    try:
        header = json.loads(bytes(take(_U32.unpack(take(4))[0])))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise WireError(f"malformed JSON header: {type(exc).__name__}") from None
    (count,) = _U32.unpack(take(4))
    if count > max_blobs:
        raise WireError(f"{count} arrays in one message (at most {max_blobs})")
    arrays = []
    for _ in range(count):
        blob = bytes(take(_U32.unpack(take(4))[0]))
        try:
            arr = np.load(io.BytesIO(blob), allow_pickle=False)
        except Exception as exc:  # np.load raises many types on bad bytes
            raise WireError(f"not a plain .npy array: {exc}") from None
        if not isinstance(arr, np.ndarray) or type(arr) is not np.ndarray:
            raise WireError("not a plain .npy array")
        if arr.dtype.kind not in ARRAY_KINDS:
            raise WireError(f"array of dtype {arr.dtype} (only booleans and numbers are accepted)")
        if arr.size > max_elements:
            raise WireError(f"array of {arr.size} elements (at most {max_elements})")
        arrays.append(arr)
    if pos != len(view):
        raise WireError("trailing bytes after the message")

    def dec(v, depth=0):
        if depth > MAX_DEPTH:
            raise WireError(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(v, list):
            return [dec(x, depth + 1) for x in v]
        if isinstance(v, dict):
            if set(v) == {"$nd"} and type(v["$nd"]) is int and 0 <= v["$nd"] < len(arrays):
                return arrays[v["$nd"]]
            if set(v) == {"$tuple"} and isinstance(v["$tuple"], list):
                return tuple(dec(x, depth + 1) for x in v["$tuple"])
            if set(v) == {"$dict"} and isinstance(v["$dict"], list):
                out = {}
                for pair in v["$dict"]:
                    if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                        raise WireError("malformed dict entry")
                    out[pair[0]] = dec(pair[1], depth + 1)
                return out
            raise WireError("unknown tagged object")
        return v

    return dec(header)


def write_frame(fd: int, payload: bytes) -> None:
    """Write one length-prefixed frame to a file descriptor (blocking)."""
    import os

    data = memoryview(_U32.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]


def read_frame_blocking(fd: int) -> bytes | None:
    """Read one frame; None at end of file. Used inside the worker only."""
    import os

    def exactly(n):
        chunks, got = [], 0
        while got < n:
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    head = exactly(4)
    if head is None:
        return None
    return exactly(_U32.unpack(head)[0])
