"""YAML data to msgpack and back with its Python types intact, for worker processes and the cache.

msgpack alone would turn a date into a string, a set into a list and drop a non-string key;
here each of those travels as a msgpack extension, so `unpack(pack(x))` equals `x` with the
same types (aliases come back as copies, which nothing here tells apart). Anything else
(a recursive alias, a type libyaml's safe loader does not make) raises `Unportable`: the
caller then keeps the file in the process that parsed it.
"""

from __future__ import annotations

import datetime
from typing import Any

import msgspec

_DATE, _DATETIME, _SET, _PAIRS, _BIG_INT = 1, 2, 3, 4, 5
_INT64 = range(-(2**63), 2**64)  # what msgpack holds natively


class Unportable(ValueError):
    """Data that cannot make the trip with its types intact."""


_ENCODER = msgspec.msgpack.Encoder()


def _pack(value: Any, path: set[int]) -> Any:
    kind = type(value)
    if kind is str or kind is bool or kind is float or value is None or kind is bytes:
        return value
    if kind is int:
        return value if value in _INT64 else msgspec.msgpack.Ext(_BIG_INT, str(value).encode())
    if kind is datetime.datetime:
        return msgspec.msgpack.Ext(_DATETIME, value.isoformat().encode())
    if kind is datetime.date:
        return msgspec.msgpack.Ext(_DATE, value.isoformat().encode())
    if kind not in (dict, list, set):
        raise Unportable(f"a value of type {kind.__name__}")
    if id(value) in path:  # checked on entry: linear in the data, however it loops
        raise Unportable("a value that contains itself (a recursive alias)")
    path.add(id(value))
    try:
        if kind is list:
            return [_pack(item, path) for item in value]
        if kind is set:
            items = [_pack(item, path) for item in value]
            return msgspec.msgpack.Ext(_SET, _ENCODER.encode(items))
        if all(type(key) is str for key in value):
            return {key: _pack(item, path) for key, item in value.items()}
        pairs = [[_pack(k, path), _pack(v, path)] for k, v in value.items()]
        return msgspec.msgpack.Ext(_PAIRS, _ENCODER.encode(pairs))
    finally:
        path.discard(id(value))


def pack(value: Any) -> Any:
    """`value` as plain msgpack values and extensions; raises `Unportable`."""
    try:
        return _pack(value, set())
    except RecursionError:  # deeper than Python's stack (the YAML limits allow 100 levels)
        raise Unportable("nested too deep") from None


def _ext(code: int, data: memoryview) -> Any:
    raw = bytes(data)
    if code == _DATE:
        return datetime.date.fromisoformat(raw.decode())
    if code == _DATETIME:
        return datetime.datetime.fromisoformat(raw.decode())
    if code == _BIG_INT:
        return int(raw.decode())
    if code == _SET:
        return set(DECODER.decode(raw))
    if code == _PAIRS:
        return dict(DECODER.decode(raw))
    raise msgspec.DecodeError(f"unknown extension {code}")


DECODER: msgspec.msgpack.Decoder[Any] = msgspec.msgpack.Decoder(ext_hook=_ext)
"""Decodes what `pack` made (also inside a larger document: see `ext_hook`)."""

ext_hook = _ext
