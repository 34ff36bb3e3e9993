"""IP address to country, offline, from the data file that geoip2fast ships (IPv4 and IPv6)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _database() -> Any:
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-ipv6.dat.gz", verbose=False)


def country_of(ip: str) -> str | None:
    """ISO 3166 alpha-2 code, or None for private, reserved or unknown addresses."""
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global:
        return None
    code = str(_database().lookup(str(address)).country_code or "")
    return code if len(code) == 2 and code.isalpha() else None
