"""Which addresses forwarding may reach: public ones only, unless an administrator allows private ones.

An LRS administrator (or whoever takes over that account) could otherwise point a target at the loopback
interface, the cloud metadata service (169.254.169.254) or a database on the internal network, and make this
server send requests there (server-side request forgery). The host is checked when a target is configured,
and again at every delivery on the addresses the name then resolves to — DNS can change in between — and the
connection is made to exactly the address that was checked. LRS_FORWARD_ALLOW_PRIVATE allows loopback,
link-local and private addresses (a test set-up, or a partner LRS on the same private network).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(OSError):
    """The target's host is or resolves to an address forwarding must not reach."""


def is_refused(address: IPAddress) -> bool:
    """Return whether an address is not on the public internet: loopback, link-local, private, reserved, ..."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return address.is_multicast or not address.is_global


def _parse(text: str) -> IPAddress:
    return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)


def refusal(host: str, addresses: list[str]) -> str | None:
    """Return why these addresses of host may not be reached, or None when all are public."""
    for text in addresses:
        if is_refused(_parse(text)):
            return (
                f"{host} is or resolves to {text}, a loopback, link-local or private address; "
                "set LRS_FORWARD_ALLOW_PRIVATE to allow it"
            )
    return None


def resolve(host: str, port: int) -> list[tuple[socket.AddressFamily, tuple[Any, ...]]]:
    """Return the (family, socket address) pairs host resolves to for TCP; raises OSError if none."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [(family, tuple(sockaddr)) for family, _, _, _, sockaddr in infos]


def endpoint_refusal(endpoint: str) -> str | None:
    """Check an endpoint's host when a target is configured: an address, or a name that resolves now.

    A name that does not resolve yet is accepted: delivery checks the addresses it resolves to then.
    """
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    try:
        return refusal(host, [str(_parse(host))])
    except ValueError:
        pass  # a name, not an address
    try:
        resolved = resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        return None
    return refusal(host, [str(sockaddr[0]) for _, sockaddr in resolved])


def connect(
    address: tuple[str, int], timeout: object = None, source_address: tuple[str, int] | None = None,
    *, allow_private: bool = False,
) -> socket.socket:  # fmt: skip
    """socket.create_connection, but to checked addresses only: resolve, refuse private ones, connect.

    :raises RefusedAddress: when the host resolves to an address forwarding must not reach.
    """
    host, port = address
    resolved = resolve(host, port)
    if not allow_private:
        reason = refusal(host, [str(sockaddr[0]) for _, sockaddr in resolved])
        if reason:
            raise RefusedAddress(reason)
    error: OSError = OSError(f"no address for {host}")
    for family, sockaddr in resolved:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if isinstance(timeout, int | float):  # http.client may pass socket's "global default" sentinel
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error
