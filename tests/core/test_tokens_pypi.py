"""PyPI macaroons: v2 binary parsing and both caveat forms, without pymacaroons."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from test_tokens_samples import macaroon_v2, pypi_token

from vault_app.core.tokens import detect
from vault_app.core.tokens.pypi_macaroon import MacaroonFormatError, parse_v2

EXP, NBF = 1900000000, 1800000000


def test_parser_reads_every_field() -> None:
    data = macaroon_v2([b"first", b"x" * 300], identifier=b"id-1", third_party=(b"tp",))
    parsed = parse_v2(data)
    assert parsed.location == b"pypi.org"
    assert parsed.identifier == b"id-1"
    assert [c.identifier for c in parsed.caveats] == [b"first", b"x" * 300, b"tp"]
    assert [c.third_party for c in parsed.caveats] == [False, False, True]
    assert parsed.caveats[2].location == b"https://elsewhere.example"
    assert parsed.signature == bytes(32)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x01abc",  # version 1 byte
        macaroon_v2([b"c"])[:-5],  # truncated signature
        macaroon_v2([b"c"])[:12],
        b"\x02\x02\xff\xff\xff\xff\xff\xff\x01",  # runaway varint
        b"\x02\x02\x05ab",  # length beyond the end
        b"\x02\x06\x01a\x00",  # signature where the identifier belongs
    ],
)
def test_parser_rejects_damage(data: bytes) -> None:
    with pytest.raises(MacaroonFormatError):
        parse_v2(data)


def test_current_caveats() -> None:
    found = detect(
        pypi_token([0, EXP, NBF], [1, ["sampleproject", "other"]], [2, ["id-1"]], [3, "u-9"])
    )
    assert (found.provider, found.kind) == ("pypi", "macaroon")
    assert found.expires_at == datetime.fromtimestamp(EXP, UTC)
    assert found.not_before == datetime.fromtimestamp(NBF, UTC)
    assert found.resources == ("project:other", "project:sampleproject", "project-id:id-1")
    assert found.account == "u-9"
    assert found.checksum_valid is None
    assert found.warnings == ()


def test_oidc_publisher_caveat() -> None:
    found = detect(pypi_token([4, "pub-1"], [1, ["proj"]]))
    assert found.resources == ("project:proj", "oidc-publisher:pub-1")


def test_legacy_dict_caveats() -> None:
    found = detect(
        pypi_token(
            {"version": 1, "permissions": {"projects": ["legacyproj"]}},
            {"exp": EXP, "nbf": NBF},
            {"project_ids": ["pid-2"]},
        )
    )
    assert found.resources == ("project:legacyproj", "project-id:pid-2")
    assert found.expires_at == datetime.fromtimestamp(EXP, UTC)
    assert found.not_before == datetime.fromtimestamp(NBF, UTC)
    assert found.warnings == ()


def test_legacy_user_scoped_token_has_no_narrower_limit() -> None:
    found = detect(pypi_token({"version": 1, "permissions": "user"}))
    assert (found.provider, found.resources, found.account) == ("pypi", (), None)
    assert found.warnings == ()


def test_token_with_no_caveats() -> None:
    found = detect(pypi_token())
    assert (found.provider, found.expires_at, found.resources) == ("pypi", None, ())


def test_repeated_caveats_narrow_each_other() -> None:
    found = detect(
        pypi_token([0, EXP, NBF], [0, EXP - 10, NBF + 10], [1, ["a", "b"]], [1, ["b", "c"]])
    )
    assert found.expires_at == datetime.fromtimestamp(EXP - 10, UTC)
    assert found.not_before == datetime.fromtimestamp(NBF + 10, UTC)
    assert found.resources == ("project:b",)


def test_disjoint_project_caveats_are_warned_about() -> None:
    found = detect(pypi_token([1, ["a"]], [1, ["b"]]))
    assert found.resources == ()
    assert any("no project" in w for w in found.warnings)


@pytest.mark.parametrize(
    ("caveat", "fragment"),
    [
        ([9, "x"], "unknown tag"),
        ({"what": 1}, "unknown form"),
        ("just a string", "unknown form"),
        ([], "unknown form"),
        ([0, "soon", NBF], "no valid time"),
        ([1, "not-a-list"], "malformed"),
        ({"version": 1, "permissions": 5}, "unknown permissions"),
    ],
)
def test_unreadable_caveats_become_warnings(caveat: object, fragment: str) -> None:
    found = detect(pypi_token(caveat, [3, "u"]))
    assert found.provider == "pypi"
    assert found.account == "u"  # the readable caveat still counts
    assert any(fragment in w for w in found.warnings), found.warnings


def test_non_json_and_third_party_caveats() -> None:
    data = macaroon_v2([b"\xff\xfe", b'[3,"u"]'], third_party=(b"opaque",))
    found = detect("pypi-" + base64.urlsafe_b64encode(data).decode().rstrip("="))
    assert found.account == "u"
    assert any("not JSON" in w for w in found.warnings)
    assert any("third-party" in w for w in found.warnings)


def test_foreign_location_is_warned_about() -> None:
    found = detect(pypi_token([3, "u"], location=b"evil.example"))
    assert any("location" in w for w in found.warnings)


def test_test_pypi_location_is_fine() -> None:
    assert detect(pypi_token([3, "u"], location=b"test.pypi.org")).warnings == ()


@pytest.mark.parametrize(
    "token",
    [
        "pypi-AgEIcHlwaS5vcmcC",  # header only, truncated
        "pypi-" + "A" * 40,
        "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA",
        "pypi-" + "_" * 17,
    ],
)
def test_damaged_macaroon_is_recognised_with_a_warning(token: str) -> None:
    found = detect(token)
    assert (found.provider, found.kind) == ("pypi", "macaroon")
    assert any("could not be decoded" in w for w in found.warnings)


def test_truncated_real_token_is_caught() -> None:
    token = pypi_token([0, EXP, NBF], [3, "user"])
    assert detect(token).warnings == ()
    assert detect(token[:-10]).warnings != ()
