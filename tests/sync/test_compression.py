"""Batch gzip: whichever library compresses, any standard gzip reader reads it, and the server reads any gzip."""

from __future__ import annotations

import gzip

import pytest

from sync.protocol import compression
from sync.protocol.compression import gzip_compress
from sync.server.errors import ApiError
from sync.server.ingest import gunzip

BODY = ('{"batch":{"events":[' + ",".join(f'{{"seq":{n},"body":{{"sku":"BRS-{n % 40:03d}"}}}}'
                                         for n in range(2_000)) + "]}}").encode()


def test_the_fast_library_is_installed_where_the_project_is() -> None:
    # pyproject pins isal: a missing wheel would silently make every upload several times slower.
    assert compression.ENGINE == "isal"


def test_compressed_batches_are_plain_gzip_and_the_same_bytes_on_every_retry() -> None:
    packed = gzip_compress(BODY)
    assert gzip.decompress(packed) == BODY  # the standard library reads it: a server without isal can too
    assert packed == gzip_compress(BODY)  # mtime=0: a resent batch is byte for byte the first one
    assert packed[4:8] == b"\0\0\0\0"
    assert len(packed) < len(BODY) // 5


@pytest.mark.parametrize("level", [1, 6, 9])
def test_the_server_reads_gzip_from_a_client_without_isal(level: int) -> None:
    assert gunzip(gzip.compress(BODY, compresslevel=level)) == BODY
    # several members, as a streaming client may send them
    assert gunzip(gzip.compress(BODY[:500]) + gzip.compress(BODY[500:])) == BODY


def test_a_gzip_bomb_is_refused_before_it_is_inflated() -> None:
    bomb = gzip_compress(b"0" * (4 << 20))
    with pytest.raises(ApiError) as refused:
        gunzip(bomb, limit=1 << 20)
    assert refused.value.status == 413


def test_corrupt_gzip_is_a_clear_400() -> None:
    packed = bytearray(gzip_compress(BODY))
    packed[len(packed) // 2] ^= 0xFF
    with pytest.raises(ApiError) as refused:
        gunzip(bytes(packed))
    assert (refused.value.status, refused.value.code) == (400, "bad_json")
