"""Connect-time address vetting for user-given URLs (newsradar.netguard)."""

from __future__ import annotations

import socket
from typing import Any

import httpcore
import httpx
import pytest

from newsradar import netguard


class Recorder(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.connected: list[str] = []

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.connected.append(host)
        raise httpcore.ConnectError("recorded, not connected")


def answers(*addresses: str) -> Any:
    def fake(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return fake


def test_connects_to_the_vetted_address_not_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsradar.netguard.socket.getaddrinfo", answers("93.184.216.34"))
    inner = Recorder()
    with pytest.raises(httpcore.ConnectError):
        netguard.GuardedBackend(inner).connect_tcp("hooks.example.org", 443)
    # the name is never resolved again by the connection: no rebinding window
    assert inner.connected == ["93.184.216.34"]


@pytest.mark.parametrize(
    "addresses", [("127.0.0.1",), ("93.184.216.34", "10.0.0.7"), ("::1",), ("::ffff:127.0.0.1",)]
)
def test_refuses_a_name_with_any_internal_address(
    monkeypatch: pytest.MonkeyPatch, addresses: tuple[str, ...]
) -> None:
    monkeypatch.setattr("newsradar.netguard.socket.getaddrinfo", answers(*addresses))
    inner = Recorder()
    with pytest.raises(netguard.AddressRefused, match="non-public address"):
        netguard.GuardedBackend(inner).connect_tcp("rebind.example.org", 80)
    assert inner.connected == []


def test_guarded_client_refuses_loopback_and_unix_sockets() -> None:
    client = httpx.Client(transport=netguard.guard(httpx.HTTPTransport()))
    with client, pytest.raises(netguard.AddressRefused):
        client.get("http://127.0.0.1:9/")
    with pytest.raises(netguard.AddressRefused):
        netguard.GuardedBackend(Recorder()).connect_unix_socket("/var/run/docker.sock")


def test_unresolvable_name_is_its_own_error() -> None:
    with pytest.raises(netguard.Unresolvable):
        netguard.public_address_sync("no-such-host.invalid", 80)
