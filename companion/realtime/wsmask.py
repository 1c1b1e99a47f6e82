"""Unmasking a WebSocket frame at the speed of one big-integer XOR.

Every frame a browser sends is masked (RFC 6455 §5.3). eventlet's server unmasks it one byte at
a time, building a bytes object per byte: some 55 µs for a 150-byte vote here, 6 % of the
vote's whole cost. The entry point installs :func:`apply_mask` in its place (eventlet is in
bug-fix-only mode upstream); this module imports no networking library.
"""

from __future__ import annotations


def apply_mask(data: bytes, mask: bytes, length: int | None = None, offset: int = 0) -> bytes:
    """XOR the first ``length`` bytes of ``data`` with ``mask`` repeated, starting at mask byte
    ``offset`` (a frame read in several parts) — eventlet's ``_apply_mask`` signature."""
    if length is None:
        length = len(data)
    if length == 0:
        return b""
    key = bytes(mask[(offset + i) % 4] for i in range(4))
    stream = (key * (length // 4 + 1))[:length]
    unmasked = int.from_bytes(data[:length], "big") ^ int.from_bytes(stream, "big")
    return unmasked.to_bytes(length, "big")
