"""SSRF guard: URLs taken from feeds and redirects must not reach into private networks.

A feed is written by a stranger. Without this guard an item linking to ``http://10.0.0.5/admin``
or ``http://169.254.169.254/latest/meta-data/`` would make the crawler fetch it from inside
the operator's network. Two checks, both refusing with reason ``blocked_address``:

* :func:`check_url` runs before every request (first hop and every redirect): the scheme must be
  http(s), and a target that is an IP literal or a loopback name is checked as written. Other
  names are *not* resolved here: behind a proxy, name resolution is the proxy's job.
* :class:`GuardedBackend` runs at connect time on direct connections: it resolves the name,
  checks **every** address, then connects to a checked address itself. The name is never
  resolved a second time, so DNS rebinding (public answer for the check, private answer for the
  connection) has no second lookup to exploit. httpcore keeps the hostname for TLS SNI and httpx
  for the ``Host`` header, so only the socket sees the IP.

The proxy's own address is exempt: the operator configured it. ``allow_private_networks``
switches both checks off (crawling an intranet, or a test server on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

import anyio
import httpcore

from scraper.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_ALLOWED_SCHEMES = frozenset({"http", "https"})
# Not global, but not flagged by every Python version's ipaddress tables: CGNAT, IETF protocol
# assignments (192.0.0.0/24), benchmarking (198.18.0.0/15).
_ALSO_BLOCKED = tuple(
    ipaddress.ip_network(net) for net in ("100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class BlockedAddressError(Exception):
    """A connection would reach an address the guard refuses; ``host`` names what was asked."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        super().__init__(f"{host} resolves to {address}, a non-public address")


def is_blocked_address(address: IPAddress | str) -> bool:
    """True for any address that is not plainly public unicast (see the module docstring)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return is_blocked_address(ip.ipv4_mapped)  # ::ffff:a.b.c.d *is* a.b.c.d on the wire
    embedded = _embedded_ipv4(ip)
    if embedded is not None and is_blocked_address(embedded):
        return True
    return (
        ip in _METADATA
        or not ip.is_global
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or any(ip in net for net in _ALSO_BLOCKED if net.version == ip.version)
    )


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one tunnels to (6to4, NAT64, Teredo client), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.teredo[1] if ip.teredo is not None else None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def is_loopback_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name in _LOOPBACK_NAMES or name.endswith(".localhost")


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse ``url`` before any request when its scheme or written host is unacceptable.

    Raises :class:`FetchError` (``bad_url`` or ``blocked_address``, never transient).
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in _ALLOWED_SCHEMES:
        raise FetchError(url, "bad_url", f"scheme {parts.scheme!r} is not fetched", transient=False)
    host = parts.hostname or ""
    if not host:
        raise FetchError(url, "bad_url", "no host in URL", transient=False)
    if allow_private:
        return
    ip = _literal(host)
    if (ip is not None and is_blocked_address(ip)) or is_loopback_name(host):
        raise FetchError(url, "blocked_address", f"{host} is not a public address", transient=False)


def check_addresses(host: str, addresses: Iterable[str]) -> list[str]:
    """Every address ``host`` resolved to, or :class:`BlockedAddressError` if any is refused.

    All of them are checked, not just the first: a name answering with one public and one
    private address could otherwise be connected to the private one on a retry.
    """
    checked = list(dict.fromkeys(addresses))
    for address in checked:
        if is_blocked_address(address):
            raise BlockedAddressError(host, address)
    return checked


async def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (TCP), in the order the resolver gives them."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves, checks every address, then connects to one.

    ``resolver`` and ``inner`` are injectable so tests can prove what is connected to without
    touching any real network.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver = resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        deadline = None if timeout is None else time.monotonic() + timeout
        addresses = await self._lookup(host, port, timeout)
        if not self._allow_private:
            addresses = check_addresses(host, addresses)
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.001)
            try:
                return await self._inner.connect_tcp(
                    address, port, remaining, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # try the next address, like getaddrinfo users do
                error = exc
        raise error

    async def _lookup(self, host: str, port: int, timeout: float | None) -> list[str]:
        if _literal(host) is not None:
            return [host.strip("[]")]
        try:
            with anyio.fail_after(timeout):
                return await self._resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:  # socket.gaierror: the classifier reads "name or service" as dns
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
