"""Would a request be allowed under a token's constraints? One result per rule, with a reason.

Pure: the caller passes the time and, for the country rule, a ``country_of`` function (the
GeoIP look-up lives outside core). A dimension the token does not constrain reports
"unconstrained"; one it constrains but the request says nothing about reports "not-checked";
neither denies.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from vault_app.core import validate
from vault_app.core.errors import ValidationError
from vault_app.core.model import Constraints

ALLOWED, DENIED = "allowed", "denied"
UNCONSTRAINED, NOT_CHECKED = "unconstrained", "not-checked"

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class RequestContext:
    at: datetime
    ip: str | None = None
    endpoint: str | None = None  # "METHOD /path"
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str  # "expiry" | "not_before" | "ip" | "country" | "endpoint" | "scope"
    outcome: str  # "allowed" | "denied" | "unconstrained" | "not-checked"
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"rule": self.rule, "outcome": self.outcome, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Evaluation:
    allowed: bool
    results: tuple[RuleResult, ...]
    country: str | None

    @property
    def denied(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.outcome == DENIED)

    def to_json(self) -> dict[str, object]:
        return {
            "allowed": self.allowed,
            "country": self.country,
            "results": [r.to_json() for r in self.results],
        }


def evaluate(
    constraints: Constraints,
    *,
    expires_at: datetime | None,
    not_before: datetime | None,
    context: RequestContext,
    country_of: Callable[[str], str | None] | None = None,
) -> Evaluation:
    """Check ``context`` against every rule. Raises ValidationError for an invalid IP or endpoint
    in the context; exceptions from ``country_of`` are the caller's and propagate."""
    at = _aware(context.at)
    address = _parse_ip(context.ip) if context.ip is not None else None
    endpoint = _request_endpoint(context.endpoint) if context.endpoint is not None else None
    country_result, country = _country(constraints, address, country_of)
    results = (
        _expiry(expires_at, at),
        _not_before(not_before, at),
        _ip(constraints, address),
        country_result,
        _endpoint(constraints, endpoint),
        _scope(constraints, context.scopes),
    )
    return Evaluation(
        allowed=all(r.outcome != DENIED for r in results), results=results, country=country
    )


def _aware(moment: datetime) -> datetime:
    """Naive times mean UTC, as everywhere else in the vault."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _stamp(moment: datetime) -> str:
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _expiry(expires_at: datetime | None, at: datetime) -> RuleResult:
    if expires_at is None:
        return RuleResult("expiry", UNCONSTRAINED, "the token has no expiry date")
    if at >= _aware(expires_at):
        return RuleResult("expiry", DENIED, f"the token expired at {_stamp(expires_at)}")
    return RuleResult("expiry", ALLOWED, f"the token is valid until {_stamp(expires_at)}")


def _not_before(not_before: datetime | None, at: datetime) -> RuleResult:
    if not_before is None:
        return RuleResult("not_before", UNCONSTRAINED, "the token has no start date")
    if at < _aware(not_before):
        return RuleResult(
            "not_before", DENIED, f"the token is not valid before {_stamp(not_before)}"
        )
    return RuleResult("not_before", ALLOWED, f"the token is valid since {_stamp(not_before)}")


def _parse_ip(text: str) -> _Address:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise ValidationError(
            f"invalid IP address {_shown(text)}: expected an address such as 203.0.113.7 "
            "or 2001:db8::1"
        ) from None


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:12] + "...")


def ip_in_network(address: _Address, network: _Network) -> bool:
    """Membership that treats an IPv4-mapped IPv6 address (``::ffff:a.b.c.d``) as the IPv4
    address it carries, in both directions, because dual-stack servers report either form."""
    if address.version == network.version:
        return address in network
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped in network
    if isinstance(address, ipaddress.IPv4Address):
        return ipaddress.IPv6Address(f"::ffff:{address}") in network
    return False


def _unmapped(address: _Address) -> _Address:
    """``::ffff:a.b.c.d`` as ``a.b.c.d``: GeoIP databases key IPv4 space by the IPv4 form."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _ip(constraints: Constraints, address: _Address | None) -> RuleResult:
    if not constraints.cidrs:
        return RuleResult("ip", UNCONSTRAINED, "the token is not bound to any address block")
    if address is None:
        return RuleResult(
            "ip", NOT_CHECKED, "the token is bound to address blocks, but no IP was given"
        )
    for block in constraints.cidrs:
        try:
            network = ipaddress.ip_network(block, strict=False)
        except ValueError:
            continue
        if ip_in_network(address, network):
            return RuleResult("ip", ALLOWED, f"{address} is inside {network}")
    blocks = ", ".join(constraints.cidrs)
    return RuleResult("ip", DENIED, f"{address} is outside the allowed blocks ({blocks})")


def _country(
    constraints: Constraints,
    address: _Address | None,
    country_of: Callable[[str], str | None] | None,
) -> tuple[RuleResult, str | None]:
    if not constraints.countries:
        return RuleResult("country", UNCONSTRAINED, "the token is not bound to countries"), None
    if address is None:
        reason = "the token is bound to countries, but no IP was given"
        return RuleResult("country", NOT_CHECKED, reason), None
    if country_of is None:
        reason = "the token is bound to countries, but no country database is available"
        return RuleResult("country", NOT_CHECKED, reason), None
    raw = country_of(str(_unmapped(address)))
    country = raw.strip().upper() if isinstance(raw, str) and raw.strip() else None
    allowed = {c.strip().upper() for c in constraints.countries}
    listed = ", ".join(constraints.countries)
    if country is None:
        # Fail closed: an allow-list cannot admit a place it cannot name.
        reason = f"the country of {address} is unknown, and only {listed} are allowed"
        return RuleResult("country", DENIED, reason), None
    if country in allowed:
        return RuleResult("country", ALLOWED, f"{address} is in {country}"), country
    reason = f"{address} is in {country}, and only {listed} are allowed"
    return RuleResult("country", DENIED, reason), country


def _request_endpoint(text: str) -> str:
    """A concrete request: a real method, the path without query or fragment."""
    normalised = validate.endpoint(text)
    method, path = normalised.split(" ", 1)
    if method == "*":
        raise ValidationError(
            f"invalid endpoint {_shown(text)}: name the request's method, for example "
            "'GET /repos/octo/app/issues'"
        )
    path = path.split("?", 1)[0].split("#", 1)[0]
    return f"{method} {path}"


def _endpoint(constraints: Constraints, endpoint: str | None) -> RuleResult:
    if not constraints.endpoints:
        return RuleResult("endpoint", UNCONSTRAINED, "the token is not bound to endpoints")
    if endpoint is None:
        return RuleResult(
            "endpoint", NOT_CHECKED, "the token is bound to endpoints, but no endpoint was given"
        )
    for pattern in constraints.endpoints:
        try:
            if endpoint_matches(pattern, endpoint):
                return RuleResult("endpoint", ALLOWED, f"{endpoint} matches {pattern}")
        except ValidationError:
            continue
    return RuleResult("endpoint", DENIED, f"{endpoint} matches none of the allowed endpoints")


def endpoint_matches(pattern: str, endpoint: str) -> bool:
    """``METHOD /path`` against a pattern: method equal or ``*``; in the path, a segment ``*``
    matches exactly one segment and ``**`` any number, including none. Other text is literal
    (no partial-segment wildcards), and a trailing slash is not significant. Runs in
    O(segments x segments), however many ``**`` there are."""
    want_method, want_path = validate.endpoint(pattern).split(" ", 1)
    method, path = validate.endpoint(endpoint).split(" ", 1)
    if want_method not in ("*", method):
        return False
    return _segments_match(_segments(want_path), _segments(path))


def _segments(path: str) -> list[str]:
    trimmed = path[1:]
    if trimmed.endswith("/"):
        trimmed = trimmed[:-1]
    return trimmed.split("/") if trimmed else []


def _segments_match(pattern: list[str], path: list[str]) -> bool:
    # reachable[j]: the pattern so far can consume exactly path[:j].
    reachable = [True] + [False] * len(path)
    for part in pattern:
        if part == "**":
            for j in range(1, len(path) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
        else:
            for j in range(len(path), 0, -1):
                segment = path[j - 1]
                reachable[j] = reachable[j - 1] and (
                    segment == part or (part == "*" and segment != "")
                )
            reachable[0] = False
    return reachable[len(path)]


def _scope(constraints: Constraints, requested: tuple[str, ...]) -> RuleResult:
    if not constraints.scopes:
        return RuleResult("scope", UNCONSTRAINED, "the token's scopes are not recorded")
    if not requested:
        return RuleResult(
            "scope", NOT_CHECKED, "the token has scopes, but no scope was asked about"
        )
    missing = [s for s in requested if s not in constraints.scopes]
    if missing:
        return RuleResult("scope", DENIED, f"the token lacks {', '.join(missing)}")
    return RuleResult("scope", ALLOWED, f"the token has {', '.join(requested)}")
