"""Crash-safe files: the append-only row log of a shard in progress, and atomic Parquet writes.

A row log is a sequence of length-prefixed pickled records, each flushed to the OS as soon as it is written,
so a killed process loses at most the record it was writing; a torn last record is detected by its length
and checksum and dropped on reading. A Parquet file appears under its final name only by ``os.replace`` of a
complete temporary file, so no reader ever sees a truncated one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

_HEADER = struct.Struct("<II")  # payload length, crc32 of the payload


class RowLog:
    """Append-only record log; ``read`` returns every complete record and truncates a torn tail."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = None

    def read(self) -> list[Any]:
        if not self.path.exists():
            return []
        records, good = [], 0
        data = self.path.read_bytes()
        pos = 0
        while pos + _HEADER.size <= len(data):
            length, crc = _HEADER.unpack_from(data, pos)
            payload = data[pos + _HEADER.size : pos + _HEADER.size + length]
            if len(payload) < length or zlib.crc32(payload) != crc:
                break
            records.append(pickle.loads(payload))
            pos += _HEADER.size + length
            good = pos
        if good != len(data):
            with open(self.path, "r+b") as fh:
                fh.truncate(good)
        return records

    def append(self, record: Any) -> None:
        if self._fh is None:
            # unbuffered: each record reaches the OS at once; the handle lives until close()
            self._fh = open(self.path, "ab", buffering=0)  # noqa: SIM115
        payload = pickle.dumps(record, protocol=5)
        self._fh.write(_HEADER.pack(len(payload), zlib.crc32(payload)) + payload)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` so that the final name only ever holds a complete file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd", row_group_size=1000, write_statistics=False)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_text_atomic(text: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def shard_name(split: str, index: int, total: int) -> str:
    return f"{split}-{index:05d}-of-{total:05d}.parquet"


def iter_ids(path: Path) -> Iterator[str]:
    yield from pq.read_table(path, columns=["id"]).column("id").to_pylist()
