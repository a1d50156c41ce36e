"""A seatbelt for demos and tests: refuse any socket traffic that would leave the machine.

The demo and the tests run the real crawler against :class:`~scraper.demo.web.LocalWeb`. One
missing ``proxy=`` or a typo in a URL would make the crawler resolve and contact a real publisher.
Inside :func:`loopback_only`, name lookups of anything but loopback names and connections to
anything but ``127.0.0.0/8``, ``::1`` or a Unix socket raise :class:`OffMachineTrafficError`
before a single packet (DNS included) is sent, and every refused attempt is recorded.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Guard", "OffMachineTrafficError", "loopback_only"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


class OffMachineTrafficError(OSError):
    """A socket operation would have reached beyond this machine; it was refused."""


@dataclass
class Guard:
    """What :func:`loopback_only` refused while it was active (empty when all went well)."""

    violations: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def refuse(self, what: str) -> OffMachineTrafficError:
        with self._lock:
            self.violations.append(what)
        return OffMachineTrafficError(f"refused off-machine traffic: {what}")


def _is_loopback_host(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port) means "this machine"
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_loopback_address(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", None):
        return True
    if isinstance(address, tuple) and address:
        return _is_loopback_host(address[0])
    return False


@contextmanager
def loopback_only() -> Iterator[Guard]:
    """Patch ``socket`` so lookups and connections only reach loopback; restore on exit.

    Process-wide (all threads), because the crawler's fetches may run in worker threads.
    """
    guard = Guard()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback_host(host):
            raise guard.refuse(f"name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_loopback_address(self.family, address):
            raise guard.refuse(f"connection to {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_loopback_address(self.family, address):
            raise guard.refuse(f"connection to {address!r}")
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    try:
        yield guard
    finally:
        socket.getaddrinfo = real_getaddrinfo
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
