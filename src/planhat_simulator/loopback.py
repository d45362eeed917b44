"""Loopback names and addresses, matched exactly: the control API answers only requests addressed to this machine.

A prefix test such as ``host.startswith("127.")`` lets ``127.attacker.example`` through, which is all a
DNS-rebinding page needs; here a Host or an Origin must be one of the loopback names, with no port or the
server's own.
"""

from __future__ import annotations

import ipaddress

#: The names a request to the simulator on loopback may carry in its Host header (``[::1]`` without brackets).
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach: ``localhost`` or a loopback IP literal, never a DNS name."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_netloc(netloc: str) -> tuple[str, str | None] | None:
    """``[::1]:8080`` -> ``("::1", "8080")``, ``LocalHost`` -> ``("localhost", None)``; None when malformed."""
    netloc = netloc.strip()
    if netloc.startswith("["):
        name, bracket, rest = netloc[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        return name.lower(), rest[1:] if rest else None
    if netloc.count(":") > 1:
        return None  # a bare IPv6 address is no valid Host
    name, colon, port = netloc.partition(":")
    return name.lower(), port if colon else None


def addressed_here(netloc: str, port: int, names: frozenset[str] = LOOPBACK_NAMES) -> bool:
    """True when ``netloc`` (a Host header) is exactly one of ``names``, with no port or ``port``."""
    parts = split_netloc(netloc)
    return parts is not None and parts[0] in names and parts[1] in (None, str(port))


def origin_here(origin: str, port: int, names: frozenset[str] = LOOPBACK_NAMES) -> bool:
    """True when an Origin header is ``http://`` plus a netloc :func:`addressed_here` accepts."""
    scheme, separator, netloc = origin.strip().partition("://")
    return bool(separator) and scheme.lower() == "http" and addressed_here(netloc, port, names)


def names_for(local_address: str) -> frozenset[str]:
    """The loopback names, plus the address a connection came in on when that is a loopback one (``127.0.0.2``)."""
    return LOOPBACK_NAMES | {local_address} if is_loopback(local_address) else LOOPBACK_NAMES
