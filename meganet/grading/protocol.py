"""Messages between a student's kernel and the judge: a JSON header and named float arrays.

A message is one length-prefixed frame holding an .npz archive (numpy's own format) read back
with allow_pickle=False, so it carries numbers and text only, never code or Python objects.
"""
from __future__ import annotations

import io
import json
import socket
import struct

import numpy as np

__all__ = ["send_message", "receive_message", "MAX_BYTES"]

MAX_BYTES = 64 * 2**20  # a frame larger than this is refused (a student cannot exhaust the judge)


def send_message(sock: socket.socket, header: dict, arrays: dict | None = None) -> None:
    buffer = io.BytesIO()
    payload = {name: np.asarray(value, dtype=float) for name, value in (arrays or {}).items()}
    payload["__header__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(buffer, **payload)
    data = buffer.getvalue()
    sock.sendall(struct.pack("!Q", len(data)) + data)


def _receive_exactly(sock: socket.socket, n: int) -> bytes:
    chunks, remaining = [], n
    while remaining:
        chunk = sock.recv(min(remaining, 2**20))
        if not chunk:
            raise ConnectionError("the other side closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def receive_message(sock: socket.socket) -> tuple[dict, dict]:
    """(header, arrays) of the next message; arrays are float arrays (anything else is refused)."""
    (size,) = struct.unpack("!Q", _receive_exactly(sock, 8))
    if size > MAX_BYTES:
        raise ValueError(f"message of {size} bytes refused (at most {MAX_BYTES})")
    with np.load(io.BytesIO(_receive_exactly(sock, size)), allow_pickle=False) as archive:
        header = json.loads(archive["__header__"].tobytes().decode())
        arrays = {name: archive[name] for name in archive.files if name != "__header__"}
    if not isinstance(header, dict):
        raise ValueError("the header must be a JSON object")
    return header, arrays
