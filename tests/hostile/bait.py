"""A TCP listener on 127.0.0.2 that counts connections: proof that nothing was fetched from it."""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class Bait:
    """Counts every connection made to it; use as a context manager."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.2", 0))
        self.sock.listen()
        self.sock.settimeout(0.05)
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True, name="Bait")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.2:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def __enter__(self) -> Bait:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
