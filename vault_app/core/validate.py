"""Input validation: each function returns the normalised value or raises one clear ValidationError."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, date, datetime, timedelta

from vault_app.core.errors import ValidationError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_ENV = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
_TAG = re.compile(r"[^\s,]{1,64}")
_SPAN = re.compile(r"(?:(\d{1,6})([wdhms]))+?", re.ASCII)
_SPAN_PART = re.compile(r"(\d{1,6})([wdhms])", re.ASCII)
_SPAN_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "*"})

# ISO 3166-1 alpha-2, officially assigned codes.
_COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905
)


def name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValidationError(
            f"invalid name {_shown(value)}: use letters, digits and '_', starting with a letter "
            "or '_' (it becomes an environment variable name), at most 128 characters"
        )
    return value


def environment(value: str) -> str:
    env = value.strip().lower()
    if not _ENV.fullmatch(env):
        raise ValidationError(
            f"invalid environment {_shown(value)}: use lowercase letters, digits, '-' and '_' "
            "(for example dev, staging, prod), at most 32 characters"
        )
    return env


def cidr(value: str) -> str:
    """A CIDR block or a single address (which becomes /32 or /128)."""
    text = value.strip()
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValidationError(
            f"invalid CIDR {_shown(value)}: expected an address block such as 203.0.113.0/24 "
            "or 2001:db8::/32"
        ) from None
    if "/" in text and str(network) != _canonical(text):
        raise ValidationError(
            f"invalid CIDR {_shown(value)}: host bits are set; did you mean {network}?"
        )
    return str(network)


def _canonical(text: str) -> str:
    address, _, prefix = text.partition("/")
    return f"{ipaddress.ip_address(address)}/{int(prefix)}"


def country(value: str) -> str:
    code = value.strip().upper()
    if code not in _COUNTRIES:
        raise ValidationError(
            f"invalid country {_shown(value)}: expected an ISO 3166 alpha-2 code such as DE or US"
        )
    return code


def endpoint(value: str) -> str:
    """``METHOD /path`` with ``*`` (one segment) and ``**`` (any depth) wildcards."""
    parts = value.split()
    if len(parts) == 1 and parts[0].startswith("/"):
        parts = ["*", parts[0]]
    if len(parts) != 2 or parts[0].upper() not in HTTP_METHODS or not parts[1].startswith("/"):
        raise ValidationError(
            f"invalid endpoint {_shown(value)}: expected 'METHOD /path', for example "
            "'GET /repos/*/issues' or '* /api/**'"
        )
    return f"{parts[0].upper()} {parts[1]}"


def tag(value: str) -> str:
    text = value.strip()
    if not _TAG.fullmatch(text):
        raise ValidationError(f"invalid tag {_shown(value)}: no spaces or commas, 1-64 characters")
    return text


def scope(value: str) -> str:
    text = value.strip()
    if not text or len(text) > 200 or any(c.isspace() for c in text):
        raise ValidationError(f"invalid scope {_shown(value)}: one word, at most 200 characters")
    return text


def resource(value: str) -> str:
    text = value.strip()
    if not text or len(text) > 500:
        raise ValidationError(f"invalid resource {_shown(value)}: 1-500 characters")
    return text


def rotation_days(value: int) -> int:
    if not 1 <= value <= 3650:
        raise ValidationError(f"invalid rotation interval {value}: expected 1-3650 days")
    return value


def when(value: str, now: datetime) -> datetime:
    """An ISO 8601 date or datetime (naive means UTC), or a span from now such as 90d or 1d12h."""
    text = value.strip()
    span = parse_span(text)
    if span is not None:
        return now + span
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"invalid date {_shown(value)}: expected an ISO 8601 date or time such as 2027-03-31 "
            "or 2027-03-31T12:00:00Z, or a span such as 90d, 12h, 2w"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def parse_span(text: str) -> timedelta | None:
    """``90d``, ``12h``, ``1d12h``, ``2w``; None when the text is not a span."""
    if not text or not _SPAN.fullmatch(text):
        return None
    seconds = sum(int(n) * _SPAN_UNITS[unit] for n, unit in _SPAN_PART.findall(text))
    return timedelta(seconds=seconds)


def _shown(value: str) -> str:
    """Quote user input for an error message, shortened so a pasted secret is never echoed whole."""
    text = value if len(value) <= 40 else value[:12] + "..."
    return repr(text)


def unique(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Drop repeats, keep the user's order."""
    return tuple(dict.fromkeys(values))
