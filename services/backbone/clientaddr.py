"""Who is really calling: the client's address behind trusted reverse proxies.

Behind a proxy every request arrives from the proxy's address. `CONBINI_TRUSTED_PROXIES`
(comma-separated networks, none by default) names the proxies whose `X-Forwarded-For` we
believe: when the immediate peer is one of them, the client is the right-most address in
that header which is not itself a trusted proxy. Entries further left were written by the
caller and prove nothing. From any other peer the header is ignored, so forging it evades
nothing. Services serve with uvicorn's own proxy-header handling off, so this is the only
place that reads the header.
"""

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from litestar import Request

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED_FOR = "x-forwarded-for"
IPV6_SUBSCRIBER_PREFIX = 64
"""One IPv6 customer usually holds a whole /64: rate limits count the /64, not the address."""


def trusted_networks(text: str) -> tuple[IPNetwork, ...]:
    """Parse `CONBINI_TRUSTED_PROXIES`: comma-separated addresses or CIDR networks.

    Raises:
        ValueError: an entry is neither (e.g. a host name, or host bits set: `10.0.0.1/8`).
    """
    return networks_of(text.split(","))


def networks_of(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Networks from addresses or CIDR networks (blank entries skipped).

    Raises:
        ValueError: an entry is neither.
    """
    networks = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError as error:
            msg = f"CONBINI_TRUSTED_PROXIES: {entry!r} is not an address or network ({error})"
            raise ValueError(msg) from error
    return tuple(networks)


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it (`203.0.113.7`, `[2001:db8::1]:443`, `1.2.3.4:80`).

    IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, from dual-stack sockets) become IPv4.
    None when it is no address at all (`unknown`, a host name, garbage).
    """
    entry = text.strip()
    if entry.startswith("[") and "]" in entry:
        entry = entry[1 : entry.index("]")]
    elif entry.count(":") == 1:
        entry = entry.partition(":")[0]
    try:
        address = ipaddress.ip_address(entry)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress, trusted: Sequence[IPNetwork]) -> bool:
    """Whether `address` is one of the trusted proxies."""
    return any(address.version == net.version and address in net for net in trusted)


def client_address(peer: str, forwarded_for: Iterable[str], trusted: Sequence[IPNetwork]) -> str:
    """The calling client's address.

    Args:
        peer: the immediate peer's address (the socket's).
        forwarded_for: every `X-Forwarded-For` header value, in the order received.
        trusted: the trusted proxies' networks.

    An entry no proxy of ours could have written (not an address) ends the walk: the last
    trusted hop is then the client, so garbage never splits or evades a limit.
    """
    nearest = parse_address(peer)
    if nearest is None:
        return peer
    if not is_trusted(nearest, trusted):
        return str(nearest)
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break
        nearest = address
        if not is_trusted(address, trusted):
            break
    return str(nearest)


def rate_limit_key(address: str) -> str:
    """The key a rate limit counts under: the address, or its /64 for IPv6."""
    parsed = parse_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        prefix = ipaddress.ip_network(f"{parsed}/{IPV6_SUBSCRIBER_PREFIX}", strict=False)
        return str(prefix)
    return address


def client_of(trusted: Sequence[IPNetwork]) -> Callable[[Request[Any, Any, Any]], str]:
    """A request's client address, believing `X-Forwarded-For` only from `trusted` peers."""

    def identify(request: Request[Any, Any, Any]) -> str:
        peer = request.client.host if request.client else ""
        return client_address(peer, request.headers.getall(FORWARDED_FOR, []), trusted)

    return identify


def rate_limit_identifier(trusted: Sequence[IPNetwork]) -> Callable[[Request[Any, Any, Any]], str]:
    """For `RateLimitConfig(identifier_for_request=…)`: one count per client (IPv6: per /64)."""
    client = client_of(trusted)

    def identify(request: Request[Any, Any, Any]) -> str:
        return rate_limit_key(client(request))

    return identify
