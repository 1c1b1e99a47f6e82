"""The WebSocket unmasking the entry point installs in eventlet agrees with RFC 6455's rule."""

import os

import pytest

from companion.realtime.wsmask import apply_mask


def byte_by_byte(data: bytes, mask: bytes, length: int, offset: int) -> bytes:
    """RFC 6455 §5.3 as written: octet i XOR mask octet (i mod 4), from mask octet ``offset``."""
    return bytes(data[i] ^ mask[(offset + i) % 4] for i in range(length))


@pytest.mark.parametrize("length", [0, 1, 3, 4, 5, 150, 4096, 70_000])
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 7])
def test_unmasks_every_length_and_offset_as_the_rfc_says(length, offset):
    data = os.urandom(length + 5)  # a longer buffer: only ``length`` bytes are read
    mask = os.urandom(4)
    assert apply_mask(data, mask, length, offset) == byte_by_byte(data, mask, length, offset)


def test_masking_twice_gives_the_text_back_and_leading_zeros_survive():
    text = b"\x00\x00" + '{"poll_id": 1, "option_ids": [2]} é'.encode()
    mask = b"\x00\x00\x00\x00"
    assert apply_mask(text, mask) == text
    mask = bytes([0x37, 0xFA, 0x21, 0x3D])
    assert apply_mask(apply_mask(text, mask), mask) == text
    assert apply_mask(bytearray(text), mask) == byte_by_byte(text, mask, len(text), 0)
