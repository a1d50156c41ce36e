"""Re-create the compression bombs in this folder: ``python tests/data/hostile/make_bombs.py``.

gzip and deflate expand to 128 MiB of zeros (about 128 KiB on disk: deflate tops out near
1000:1); brotli to 1 GiB (under 2 KiB on disk). Generated in 1 MiB steps, so making them needs
no memory either.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import brotli  # type: ignore[import-untyped]

HERE = Path(__file__).resolve().parent
EXPANDED = 1024**3
BLOCK = b"\0" * 1024**2


def _zlib(wbits: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
    parts = [comp.compress(BLOCK) for _ in range(128)]
    return b"".join(parts) + comp.flush()


def _brotli() -> bytes:
    comp = brotli.Compressor(quality=5)
    parts = [comp.process(BLOCK) for _ in range(EXPANDED // len(BLOCK))]
    return b"".join(parts) + comp.finish()


if __name__ == "__main__":
    (HERE / "bomb-128m.gz").write_bytes(_zlib(16 + zlib.MAX_WBITS))
    (HERE / "bomb-128m.deflate").write_bytes(_zlib(zlib.MAX_WBITS))
    (HERE / "bomb-1g.br").write_bytes(_brotli())
