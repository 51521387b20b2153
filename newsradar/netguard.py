"""Keep user-given URLs (feeds, webhooks) out of the internal network.

A host is vetted when the connection is made, on the very address connected to: every
address it resolves to must be public (not loopback, private, link-local, multicast or
reserved), and the connection goes to the vetted address. A DNS answer therefore cannot
change between the check and the connection (rebinding), and every redirect hop is vetted
too. TLS still sends SNI for, and verifies the certificate of, the host name: httpcore passes
it separately from the address.

``guard(transport)`` installs this on an httpx transport (sync or async).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any, TypeVar

import httpcore
import httpx


class AddressRefused(Exception):
    """The host resolves to a non-public address."""


class Unresolvable(Exception):
    """The host name does not resolve (perhaps only for now)."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _vet(host: str, infos: list[Any]) -> str:
    if not infos:
        raise Unresolvable(f"cannot resolve {host}: no addresses")
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            raise AddressRefused(f"{host} resolves to non-public address {address}")
    return str(infos[0][4][0])


def public_address_sync(host: str, port: int) -> str:
    """The address to connect to for ``host``, if every address it resolves to is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"cannot resolve {host}: {exc}") from exc
    return _vet(host, infos)


async def public_address(host: str, port: int) -> str:
    """:func:`public_address_sync` without blocking the event loop."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"cannot resolve {host}: {exc}") from exc
    return _vet(host, infos)


class GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        address = public_address_sync(host, port)
        return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise AddressRefused("unix sockets are refused")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class AsyncGuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await public_address(host, port)
        return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("unix sockets are refused")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


Transport = TypeVar("Transport", httpx.HTTPTransport, httpx.AsyncHTTPTransport)


def guard(transport: Transport) -> Transport:
    """Vet every connection ``transport`` makes (httpx 0.28 / httpcore 1.0 internals: the
    pool's network backend is the one seam httpx offers below name resolution)."""
    pool: Any = transport._pool
    if isinstance(transport, httpx.AsyncHTTPTransport):
        pool._network_backend = AsyncGuardedBackend(pool._network_backend)
    else:
        pool._network_backend = GuardedBackend(pool._network_backend)
    return transport
