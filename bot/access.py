"""Who may read `/metrics` and `/healthz`'s details: a bearer token, or an address in an allowed network.

Off when neither is set (everyone may, as before). The check reads the request's peer address and one header,
nothing else: a refused request costs no database work. The token goes in `Authorization: Bearer …` (what
Prometheus's `authorization` scrape setting sends), never in the URL, where proxies and access logs keep
it. Behind a proxy the peer is the proxy, so allow its address or use the token; X-Forwarded-For is not
read, since any client can write it.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Access:
    token: bytes | None = None
    networks: Sequence[Network] = ()

    @property
    def open(self) -> bool:
        return self.token is None and not self.networks

    def allows(self, peer: str | None, authorization: str | None) -> bool:
        """Everyone when open; else a request bearing the token, or coming from an allowed network."""
        return self.open or self._bears_token(authorization) or self._from_network(peer)

    def _bears_token(self, authorization: str | None) -> bool:
        if self.token is None or not authorization:
            return False
        scheme, _, credentials = authorization.strip().partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self.token)

    def _from_network(self, peer: str | None) -> bool:
        if not self.networks or not peer:
            return False
        try:
            address = ipaddress.ip_address(peer.partition("%")[0])  # an IPv6 zone (fe80::1%eth0) names no network
        except ValueError:
            return False
        mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.1.2.3 from a dual-stack socket is 10.1.2.3
        return any(
            a in network
            for network in self.networks
            for a in (address, mapped)
            if a is not None and a.version == network.version
        )
