"""The plain-data channel: round trips, and everything that is not plain data is refused."""
import io
import pickle
import struct

import numpy as np
import pytest

from autograder.sandbox.worker.wire import WireError, dumps, loads, npy_array, npy_bytes


def frame_with_blob(blob: bytes) -> bytes:
    header = b'{"$nd": 0}'
    return struct.pack(">I", len(header)) + header + struct.pack(">I", 1) + struct.pack(">I", len(blob)) + blob


@pytest.mark.parametrize("value", [
    None, True, 3, 2.5, float("nan"), "text", [1, [2.0, None]], (1, 2), {"W": np.ones((2, 3)), "b": [0.5]},
    np.arange(6, dtype=np.int32).reshape(2, 3), np.float32(1.5), np.bool_(True), 1 + 2j, np.zeros((0, 3)),
    np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.arange(10.0)[::2]])
def test_round_trip(value):
    back = loads(dumps(value))
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape and np.array_equal(back, value)
        assert back.flags.writeable  # a student may change an argument in place
    elif isinstance(value, (np.generic, complex)):
        assert back.shape == () and back == value
    elif isinstance(value, dict):
        assert set(back) == set(value)
    elif isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value


def test_npy_bytes_are_real_npy():
    arr = np.arange(12.0).reshape(3, 4)
    assert np.array_equal(np.load(io.BytesIO(npy_bytes(arr)), allow_pickle=False), arr)


@pytest.mark.parametrize("value", [object(), np.array([object()]), {1: 2}, lambda: 1, np.zeros(2, dtype="U3")])
def test_dumps_refuses_what_is_not_plain(value):
    with pytest.raises(TypeError):
        dumps(value)


def test_object_arrays_and_pickles_are_refused():
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(WireError):
        loads(frame_with_blob(buf.getvalue()))
    with pytest.raises(WireError):
        loads(frame_with_blob(pickle.dumps([1, 2])))
    structured = io.BytesIO()
    np.save(structured, np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]))
    with pytest.raises(WireError):
        loads(frame_with_blob(structured.getvalue()))


@pytest.mark.parametrize("blob", [
    npy_bytes(np.ones(4))[:-8],  # data shorter than the shape says
    npy_bytes(np.ones(4)) + b"\0" * 8,  # longer
    npy_bytes(np.ones(4)).replace(b"'shape': (4,)", b"'shape': (-4,)"),
    npy_bytes(np.ones(4)).replace(b"<f8", b"|O8"),
    b"\x93NUMPY\x02\x00" + npy_bytes(np.ones(4))[8:],  # only format 1.0
])
def test_malformed_arrays_are_refused(blob):
    with pytest.raises(WireError):
        npy_array(blob, 10**6)


def test_caps_and_depth():
    with pytest.raises(WireError):
        npy_array(npy_bytes(np.ones(100)), 10)
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(WireError):
        loads(struct.pack(">I", len(deep)) + deep + struct.pack(">I", 0))
    nested = b'{"$tuple": ' * 40 + b"1" + b"}" * 40
    with pytest.raises(WireError):
        loads(struct.pack(">I", len(nested)) + nested + struct.pack(">I", 0))
    with pytest.raises(WireError):
        loads(b"\0\0\0\x05{}")  # truncated


def test_a_container_referenced_again_is_walked_once_and_decodes_the_same():
    inner = [1.0, (2, {"k": [3]})]
    value = {"a": [inner] * 5, "b": inner}
    assert loads(dumps(value)) == {"a": [[1.0, (2, {"k": [3]})]] * 5, "b": [1.0, (2, {"k": [3]})]}
    # 32 levels are allowed: a list first met shallow, then again 31 levels deeper, is checked again there
    shared = [[[]]]
    deep = [shared]
    for _ in range(31):
        deep = [deep]
    with pytest.raises(TypeError, match="nested more than"):
        dumps([shared, deep])
    looped = []
    looped.append(looped)
    with pytest.raises(TypeError, match="nested more than"):
        dumps(looped)


def _frame(header: bytes, blobs=()) -> bytes:
    body = struct.pack(">I", len(header)) + header + struct.pack(">I", len(blobs))
    for blob in blobs:
        body += struct.pack(">I", len(blob)) + blob
    return body


@pytest.mark.parametrize("name, message", [
    ("lists of empty lists", dumps([[]] * 1_000_000)),  # 4 MB of "[]," that unpack to about 70 MB
    ("an array referenced 200,000 times",
     _frame(b'{"$dict": [["ok", [' + b",".join([b'{"$nd": 0}'] * 200_000) + b"]]]}", [npy_bytes(np.ones(1000))])),
    ("4 million booleans referenced 23 times (as float64, the grader's numbers: 770 MB)",
     _frame(b'{"$dict": [["ok", [' + b",".join([b'{"$nd": 0}'] * 23) + b"]]]}", [npy_bytes(np.ones(4_190_000, bool))])),
])
def test_what_a_message_unpacks_to_is_bounded(name, message):
    with pytest.raises(WireError, match="unpacks to more than"):
        loads(message)


def test_ordinary_answers_unpack_whatever_their_form():
    for value in ([float(i) for i in range(10_000)], np.ones((300, 300)), {"W": np.ones((5, 3)), "b1": [0.0] * 5},
                  [[1.0, 2.0]] * 2000, (np.zeros(4), np.ones(3))):
        assert loads(dumps(value)) is not None


def test_a_long_npy_header_is_refused():
    """numpy writes a few dozen bytes of header: a padded one would fill the grader's header cache."""
    blob = npy_bytes(np.zeros(3))
    header = blob[10:].split(b"\n", 1)[0] + b" " * 2000 + b"\n"
    padded = blob[:8] + struct.pack("<H", len(header)) + header + blob[10 + struct.unpack("<H", blob[8:10])[0]:]
    with pytest.raises(WireError, match="too long"):
        npy_array(padded, 100)


DTYPES = ["<f8", "<f4", "<f2", "<i8", "<i4", "|i1", "<u2", "|u1", "|b1", "<c16", "<c8", ">f8", ">i4"]
SHAPES = [(), (0,), (1,), (5,), (3, 4), (2, 1, 3), (0, 3), (1, 1, 1, 1)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_npy_codec_agrees_with_numpy_both_ways(dtype):
    """A differential test against numpy's own .npy format: what npy_bytes writes numpy reads as the same
    array, and what numpy writes (format 1.0, C or Fortran order) npy_array reads as the same array."""
    rng = np.random.default_rng(len(dtype))
    for shape in SHAPES:
        arr = (rng.normal(size=shape) * 100).astype(dtype)
        for view in (arr, np.asfortranarray(arr), arr.T, arr[::-1] if arr.ndim else arr):
            mine = npy_bytes(view)
            theirs = np.load(io.BytesIO(mine), allow_pickle=False)
            assert theirs.dtype == view.dtype and theirs.shape == view.shape and np.array_equal(theirs, view, equal_nan=True)
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, view, version=(1, 0), allow_pickle=False)
            back = npy_array(buffer.getvalue(), max_elements=10_000)
            assert back.dtype == view.dtype and back.shape == view.shape and np.array_equal(back, view, equal_nan=True)
