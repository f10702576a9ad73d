"""Plain-data wire format between the grader and a worker. Never pickle.

A message is a JSON document in which numpy arrays (and numpy or complex scalars)
are replaced by {"$nd": i}, the i-th `.npy` blob that follows the JSON.
Tuples are {"$tuple": [...]}, dicts {"$dict": [[key, value], ...]} with str keys.

Frame layout (all lengths big-endian uint32):
    len(json) json  count  (len(blob) blob)*count

`loads` is strict and is what the grader relies on: arrays are parsed by
`npy_array` (format 1.0 only, no pickle ever, dtype kind in "biufc", exact
sizes), with caps on blob count, array size and nesting depth, and on what the
message unpacks to: an array referenced many times counts every time, so a small
frame cannot become a huge value.
"""
from __future__ import annotations

import json
import math
import re
import struct

import numpy as np

ARRAY_KINDS = "biufc"
MAX_DEPTH = 32
UNPACK_FACTOR = 24  # what a message may unpack to, in bytes of Python objects, per byte (JSON's own worst is ~21)
_CONTAINER, _ENTRY = 64, 40  # bytes of a list/tuple/dict, and of one entry with its number
_U32 = struct.Struct(">I")


class WireError(ValueError):
    """A message that is not valid plain data (or exceeds a cap)."""


_PLAIN = frozenset((type(None), bool, int, float, str))  # JSON as they are: no walking into them


def dumps(value) -> bytes:
    """Encode plain data: None, bool, int, float, str, list, tuple, dict[str, ...], numpy arrays/scalars.

    A list, tuple or dict referenced again is encoded once (`[[]] * 10**6` costs one walk, not a million).
    """
    blobs: list[bytes] = []
    seen: dict[int, tuple] = {}  # id -> (the container, kept alive; its encoding; the depth it was checked at)

    def enc(v, depth):
        t = type(v)
        if t in _PLAIN:
            return v
        hit = seen.get(id(v))
        if hit is not None and hit[0] is v and depth <= hit[2]:
            return hit[1]
        if depth > MAX_DEPTH:
            raise TypeError(f"nested more than {MAX_DEPTH} levels deep")
        if t is list:
            out = [x if type(x) in _PLAIN else enc(x, depth + 1) for x in v]
        elif t is tuple:
            out = {"$tuple": [x if type(x) in _PLAIN else enc(x, depth + 1) for x in v]}
        elif t is dict:
            if not all(type(k) is str for k in v):
                raise TypeError("a dict with keys that are not strings")
            out = {"$dict": [[k, enc(x, depth + 1)] for k, x in v.items()]}
        elif isinstance(v, (np.ndarray, np.generic, complex)):
            blobs.append(npy_bytes(np.asarray(v)))
            return {"$nd": len(blobs) - 1}
        else:
            raise TypeError(f"a value of type {t.__name__}, which is not numbers, arrays, lists, tuples or dicts")
        seen[id(v)] = (v, out, depth)
        return out

    try:
        header = json.dumps(enc(value, 0), allow_nan=True).encode()
    finally:
        enc = None  # it calls itself: a cycle (with every container seen) for the collector otherwise
    parts = [_U32.pack(len(header)), header, _U32.pack(len(blobs))]
    for blob in blobs:
        parts += [_U32.pack(len(blob)), blob]
    return b"".join(parts)


def loads(data: bytes, *, max_blobs: int = 4096, max_elements: int = 10_000_000, writable: bool = True,
          max_unpacked: int | None = None):
    """Decode a message produced by `dumps`, refusing anything but plain data (see `loads_sized`)."""
    return loads_sized(data, max_blobs=max_blobs, max_elements=max_elements, writable=writable,
                       max_unpacked=max_unpacked)[0]


def loads_sized(data: bytes, *, max_blobs: int = 4096, max_elements: int = 10_000_000, writable: bool = True,
                max_unpacked: int | None = None) -> tuple:
    """(value, what it unpacked to): decode a message produced by `dumps`, refusing anything but plain data.

    What it unpacks to is counted as the memory its Python objects take (each list, tuple and
    dict, each entry, and an array's elements as float64, each time it is referenced): at most `max_unpacked`
    bytes (default: UNPACK_FACTOR times the message), so a small message cannot become a huge
    value. writable=False leaves arrays as read-only views of `data` (the grader never changes them).
    """
    data = bytes(data)
    end = len(data)
    allowed = UNPACK_FACTOR * end + (64 << 10) if max_unpacked is None else max_unpacked
    budget = [allowed]

    def spend(size: int) -> None:
        budget[0] -= size
        if budget[0] < 0:
            raise WireError(f"unpacks to more than {allowed >> 20 or 1} MiB of values (an array repeated, "
                            "or lists of empty lists?)")

    def length_at(pos: int) -> int:
        if pos + 4 > end:
            raise WireError("truncated message")
        return _U32.unpack_from(data, pos)[0]

    pos = 4 + length_at(0)
    if pos > end:
        raise WireError("truncated message")
    try:
        header = json.loads(data[4:pos])
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise WireError(f"malformed JSON header: {type(exc).__name__}") from None
    count = length_at(pos)
    pos += 4
    if count > max_blobs:
        raise WireError(f"{count} arrays in one message (at most {max_blobs})")
    arrays = []
    for _ in range(count):
        size = length_at(pos)
        pos += 4
        if pos + size > end:
            raise WireError("truncated message")
        arrays.append(npy_array(data[pos : pos + size], max_elements, writable))
        pos += size
    if pos != end:
        raise WireError("trailing bytes after the message")

    def dec(v, depth):
        if depth > MAX_DEPTH:
            raise WireError(f"nested more than {MAX_DEPTH} levels deep")
        if type(v) is list:
            spend(_CONTAINER + _ENTRY * len(v))
            return [x if type(x) in _PLAIN else dec(x, depth + 1) for x in v]
        if len(v) == 1:  # a dict: exactly one tag
            if "$nd" in v:
                i = v["$nd"]
                if type(i) is int and 0 <= i < len(arrays):
                    spend(_CONTAINER + 8 * arrays[i].size)  # as the float64 numbers the grader makes of it
                    return arrays[i]
            elif type(v.get("$tuple")) is list:
                spend(_CONTAINER + _ENTRY * len(v["$tuple"]))
                return tuple(x if type(x) in _PLAIN else dec(x, depth + 1) for x in v["$tuple"])
            elif type(v.get("$dict")) is list:
                spend(_CONTAINER + 2 * _ENTRY * len(v["$dict"]))
                out = {}
                for pair in v["$dict"]:
                    if not (type(pair) is list and len(pair) == 2 and type(pair[0]) is str):
                        raise WireError("malformed dict entry")
                    out[pair[0]] = pair[1] if type(pair[1]) in _PLAIN else dec(pair[1], depth + 1)
                return out
        raise WireError("unknown tagged object")

    try:
        value = header if type(header) in _PLAIN else dec(header, 0)
    finally:
        dec = None  # it calls itself: a cycle that would keep the message's bytes until the collector runs
    return value, allowed - budget[0] + end


_MAGIC = b"\x93NUMPY\x01\x00"
# The header numpy and npy_bytes write: a dict literal with exactly these keys, padded with spaces.
_HEADER = re.compile(rb"\{'descr': '([<>|=][a-zA-Z]\d{1,2})', 'fortran_order': (True|False), "
                     rb"'shape': \(((?:\d{1,12}, ?)*\d{0,12})\),? ?\} *\n")


_HEADERS: dict[tuple, bytes] = {}  # (dtype, shape) -> .npy header: shapes repeat, building one costs a repr
_PARSED: dict[bytes, tuple] = {}  # header bytes -> (dtype, shape, fortran order, element count), once validated
_CACHE_CAP = 4096  # entries per table: shapes a student controls cannot grow it without bound
MAX_HEADER = 1024  # bytes of a .npy header: with the cap, the tables hold a few MiB at most


def npy_bytes(arr: np.ndarray) -> bytes:
    """The .npy (format 1.0) bytes of an array of booleans or numbers; never pickles."""
    if arr.dtype.kind not in ARRAY_KINDS or arr.dtype.fields is not None:
        raise TypeError(f"an array of dtype {arr.dtype}, which is not booleans or numbers")
    arr = arr if arr.flags.c_contiguous else arr.copy(order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
    key = (arr.dtype.str, arr.shape)
    header = _HEADERS.get(key)
    if header is None:
        header = repr({"descr": arr.dtype.str, "fortran_order": False, "shape": arr.shape}).encode("latin1")
        header += b" " * (63 - (len(_MAGIC) + 2 + len(header)) % 64) + b"\n"  # pad to a multiple of 64
        header = _MAGIC + struct.pack("<H", len(header)) + header
        if len(_HEADERS) < _CACHE_CAP:
            _HEADERS[key] = header
    return header + arr.tobytes()


def _parse_header(header: bytes) -> tuple:
    """(dtype, shape, fortran, count) of a .npy 1.0 header dict, or WireError."""
    parsed = _PARSED.get(header)
    if parsed is not None:
        return parsed
    match = _HEADER.fullmatch(header)
    if match is None:
        raise WireError("malformed .npy header")
    try:
        dtype = np.dtype(match.group(1).decode())
    except TypeError:
        raise WireError("malformed .npy dtype") from None
    shape = tuple(int(d) for d in match.group(3).replace(b",", b" ").split())
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.hasobject:
        raise WireError(f"array of dtype {dtype} (only booleans and numbers are accepted)")
    if any(d < 0 for d in shape) or len(shape) > 32:
        raise WireError("malformed .npy shape")
    parsed = (dtype, shape, match.group(2) == b"True", math.prod(shape))
    if len(_PARSED) < _CACHE_CAP:
        _PARSED[header] = parsed
    return parsed


def npy_array(blob: bytes, max_elements: int, writable: bool = True) -> np.ndarray:
    """Parse .npy bytes strictly: format 1.0, a plain dtype of kind biufc, exact size; never unpickles.

    Returns a writable array (a student's function may change its arguments in place).
    """
    if blob[:8] != _MAGIC or len(blob) < 10:
        raise WireError("not .npy format 1.0 bytes")
    (length,) = struct.unpack("<H", blob[8:10])
    if length > MAX_HEADER:  # numpy writes a few dozen bytes, padded to 64: a long one is not numpy's
        raise WireError("malformed .npy header (too long)")
    dtype, shape, fortran, count = _parse_header(blob[10 : 10 + length])
    if count > max_elements:
        raise WireError(f"array of {count} elements (at most {max_elements})")
    data = blob[10 + length :]
    if len(data) != count * dtype.itemsize:
        raise WireError("array data does not match its shape")
    arr = np.frombuffer(data, dtype=dtype, count=count).reshape(shape, order="F" if fortran else "C")
    return arr.copy() if writable else arr


def digest(value) -> bytes:
    """A 16-byte key for plain data (arrays by dtype, shape and bytes): equal values, equal keys."""
    import hashlib  # here: the worker never needs it, and its zygote stays smaller to fork

    h = hashlib.blake2b(digest_size=16)

    def feed(v):
        if isinstance(v, (np.ndarray, np.generic)):
            v = np.asarray(v)
            h.update(b"A%s%r" % (v.dtype.str.encode(), v.shape))
            h.update(v.tobytes() if v.flags.c_contiguous else v.copy(order="C").tobytes())
        elif isinstance(v, (list, tuple)):
            h.update(b"L%d[" % len(v) if isinstance(v, list) else b"T%d[" % len(v))
            for x in v:
                feed(x)
            h.update(b"]")
        elif isinstance(v, dict):
            h.update(b"D%d{" % len(v))
            for k in sorted(v):
                h.update(repr(k).encode())
                feed(v[k])
            h.update(b"}")
        else:
            h.update(b"S" + repr(v).encode() + type(v).__name__.encode())

    try:
        feed(value)
    finally:
        feed = None  # it calls itself: a cycle for the collector otherwise
    return h.digest()


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
