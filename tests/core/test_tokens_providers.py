"""Known-good and known-bad samples for every provider the registry knows."""

from __future__ import annotations

import pytest
from test_tokens_samples import (
    aws_key_id,
    break_last,
    crc_token,
    gitlab_routable,
    hs256,
    pypi_token,
    rand,
)

from vault_app.core.tokens import Detection, detect
from vault_app.core.tokens.detection import CHECKSUM_WARNING
from vault_app.core.tokens.registry import FORMATS, candidates

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
HEX = "0123456789abcdef"
B64URL = ALNUM + "-_"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# (sample, provider, kind)
GOOD = [
    (crc_token("ghp_"), "github", "classic-pat"),
    (crc_token("gho_"), "github", "oauth"),
    (crc_token("ghu_"), "github", "user-to-server"),
    (crc_token("ghs_"), "github", "installation"),
    (crc_token("ghr_"), "github", "refresh"),
    ("github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59), "github", "fine-grained-pat"),
    ("ghs_123456_" + hs256({"exp": 2000000000}), "github", "installation"),
    ("glpat-" + rand(B64URL, 20), "gitlab", "pat"),
    (gitlab_routable("glpat-", {"o": "1", "u": "a"}), "gitlab", "pat"),
    (gitlab_routable("glpat-", {"o": "1"}, version=True), "gitlab", "pat"),
    ("gldt-" + rand(B64URL, 20), "gitlab", "deploy-token"),
    ("glrt-" + rand(B64URL, 20), "gitlab", "runner-token"),
    (gitlab_routable("glrt-t1_", {"o": "1"}), "gitlab", "runner-token"),
    ("glcbt-" + rand(B64URL, 20), "gitlab", "ci-job-token"),
    ("glptt-" + rand(HEX, 40), "gitlab", "trigger-token"),
    ("glft-" + rand(B64URL, 20), "gitlab", "feed-token"),
    ("gloas-" + rand(HEX, 64), "gitlab", "oauth-secret"),
    ("sk_live_" + rand(ALNUM, 99), "stripe", "secret-key"),
    ("rk_test_" + rand(ALNUM, 99), "stripe", "restricted-key"),
    ("pk_live_" + rand(ALNUM, 99), "stripe", "publishable-key"),
    (aws_key_id("AKIA", 123456789012), "aws", "access-key-id"),
    (aws_key_id("ASIA", 123456789012), "aws", "temporary-access-key-id"),
    ("sk-proj-" + rand(B64URL, 74) + "T3BlbkFJ" + rand(B64URL, 74), "openai", "project-key"),
    (
        "sk-svcacct-" + rand(B64URL, 74) + "T3BlbkFJ" + rand(B64URL, 74),
        "openai",
        "service-account-key",
    ),
    ("sk-admin-" + rand(B64URL, 58) + "T3BlbkFJ" + rand(B64URL, 58), "openai", "admin-key"),
    ("sk-" + rand(ALNUM, 20) + "T3BlbkFJ" + rand(ALNUM, 20), "openai", "api-key"),
    ("sk-ant-api03-" + rand(B64URL, 93) + "AA", "anthropic", "api-key"),
    ("sk-ant-admin01-" + rand(B64URL, 93) + "AA", "anthropic", "admin-key"),
    (crc_token("npm_"), "npm", "access-token"),
    (pypi_token([3, "user-id"]), "pypi", "macaroon"),
    ("xoxb-1234567890-1234567890123-" + rand(ALNUM, 24), "slack", "bot"),
    ("xoxp-1234567890-1234567890-1234567890123-" + rand(HEX, 32), "slack", "user"),
    ("xapp-1-A0123ABCDEF-1234567890123-" + rand(HEX, 64), "slack", "app-level"),
    ("xoxe.xoxp-1-" + rand(ALNUM, 160), "slack", "rotating-user"),
    ("xoxe.xoxb-1-" + rand(ALNUM, 160), "slack", "rotating-bot"),
    ("xoxe-1-" + rand(ALNUM, 146), "slack", "refresh"),
    ("AIza" + rand(B64URL, 35), "google", "api-key"),
    ("hf_" + rand(LETTERS, 34), "huggingface", "access-token"),
    ("dop_v1_" + rand(HEX, 64), "digitalocean", "pat"),
    ("doo_v1_" + rand(HEX, 64), "digitalocean", "oauth"),
    ("dor_v1_" + rand(HEX, 64), "digitalocean", "refresh"),
    ("shpat_" + rand(HEX, 32), "shopify", "access-token"),
    ("shpca_" + rand(HEX, 32), "shopify", "custom-app-token"),
    ("shppa_" + rand(HEX, 32), "shopify", "private-app-token"),
    ("shpss_" + rand(HEX, 32), "shopify", "shared-secret"),
    ("SG." + rand(B64URL, 22) + "." + rand(B64URL, 43), "sendgrid", "api-key"),
    ("AC" + rand(HEX, 32), "twilio", "account-sid"),
    ("SK" + rand(HEX, 32), "twilio", "api-key-sid"),
    ("cfut_" + rand(ALNUM, 40) + rand(HEX, 8), "cloudflare", "user-token"),
    ("cfat_" + rand(ALNUM, 40) + rand(HEX, 8), "cloudflare", "account-token"),
    ("cfk_" + rand(ALNUM, 40) + rand(HEX, 8), "cloudflare", "global-key"),
    ("hvs." + rand(B64URL, 95), "vault", "service"),
    ("hvs." + rand(B64URL, 95) + ".AbC12", "vault", "service"),
    ("hvb." + rand(B64URL, 150), "vault", "batch"),
    ("hvr." + rand(B64URL, 100), "vault", "recovery"),
    ("s.ZC9Ecf4M5g9o34Q6RkzGsj0z", "vault", "service"),
    ("b.AAAAAQ" + rand(B64URL, 120), "vault", "batch"),
    (hs256({"sub": "x"}), "jwt", "jwt"),
]

# Lookalikes that must NOT be recognised (wrong length, wrong alphabet, prose).
BAD = [
    "ghp_" + rand(ALNUM, 35),
    "ghx_" + rand(ALNUM, 36),
    "github_pat_" + rand(ALNUM, 22) + rand(ALNUM, 59),
    "glpat-" + rand(B64URL, 19),
    "sk_prod_" + rand(ALNUM, 30),
    "sk_live_short",
    "AKIA" + "0189" * 4,
    "AKIA" + rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 15),
    "sk-" + rand(ALNUM, 48),
    "sk-proj-" + rand(ALNUM, 100),
    "sk-ant-api03-" + rand(B64URL, 93) + "AB",
    "npm_" + rand(ALNUM, 35),
    "xoxb-notdigits-" + rand(ALNUM, 24),
    "AIza" + rand(B64URL, 34),
    "hf_" + rand(ALNUM, 33) + "1",
    "dop_v1_" + rand(HEX, 63) + "g",
    "shpat_" + rand(HEX, 31),
    "SG." + rand(B64URL, 22) + rand(B64URL, 43),
    "AC" + rand(HEX, 31),
    "SK" + rand("ABCDEF0123456789", 32),
    "cfut_short",
    "hvs." + rand(B64URL, 40),
    "s.abcdefghijklmnopqrstuvwx",  # all letters: prose-like, not a legacy Vault token
    "s.123456789012345678901234",  # all digits
    "s.short1",
    "b.short",
    "eyJhbGciOiJIUzI1NiJ9",
    "hello world",
    "password123",
    "",
    "   ",
]


def _known_providers() -> set[str]:
    return {f.provider for f in FORMATS}


def test_every_listed_provider_has_a_good_sample() -> None:
    expected = {
        *("github", "gitlab", "stripe", "aws", "openai", "anthropic", "npm", "pypi", "slack"),
        *("google", "huggingface", "digitalocean", "shopify", "sendgrid", "twilio"),
        *("cloudflare", "vault", "jwt"),
    }
    assert _known_providers() == expected
    assert {provider for _, provider, _ in GOOD} == expected


def test_every_registry_row_has_a_good_sample() -> None:
    sampled = {(provider, kind) for _, provider, kind in GOOD}
    assert {(f.provider, f.kind) for f in FORMATS} <= sampled


@pytest.mark.parametrize(("sample", "provider", "kind"), GOOD, ids=[f"{p}-{k}" for _, p, k in GOOD])
def test_good_samples_are_recognised(sample: str, provider: str, kind: str) -> None:
    found = detect(sample)
    assert (found.provider, found.kind) == (provider, kind)
    assert found.checksum_valid is not False
    assert CHECKSUM_WARNING not in found.warnings


@pytest.mark.parametrize("sample", GOOD[:6], ids=lambda s: s[0][:4])
def test_surrounding_whitespace_is_ignored(sample: tuple[str, str, str]) -> None:
    assert detect(f"  {sample[0]}\n").provider == sample[1]


@pytest.mark.parametrize("sample", BAD, ids=range(len(BAD)))
def test_lookalikes_are_not_recognised(sample: str) -> None:
    found = detect(sample)
    assert found.provider is None
    assert found.kind is None


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"])
def test_checksummed_formats_report_valid_and_broken(prefix: str) -> None:
    for seed in range(20):
        good = crc_token(prefix, seed)
        assert detect(good).checksum_valid is True
        broken = detect(break_last(good))
        assert broken.provider in ("github", "npm")
        assert broken.checksum_valid is False
        assert CHECKSUM_WARNING in broken.warnings


def test_a_swapped_character_breaks_the_github_checksum() -> None:
    token = crc_token("ghp_", 7)
    body = list(token)
    body[10], body[11] = body[11], body[10]
    swapped = "".join(body)
    if swapped != token:
        assert detect(swapped).checksum_valid is False


def test_formats_without_an_offline_checksum_say_none() -> None:
    assert detect("glpat-" + rand(B64URL, 20)).checksum_valid is None
    assert detect("sk_live_" + rand(ALNUM, 30)).checksum_valid is None
    assert detect(aws_key_id("AKIA", 5)).checksum_valid is None


@pytest.mark.parametrize(
    ("prefix", "env", "kind"),
    [
        ("sk_live_", "live", "secret-key"),
        ("sk_test_", "test", "secret-key"),
        ("rk_live_", "live", "restricted-key"),
        ("rk_test_", "test", "restricted-key"),
        ("pk_live_", "live", "publishable-key"),
        ("pk_test_", "test", "publishable-key"),
    ],
)
def test_stripe_environment_hint(prefix: str, env: str, kind: str) -> None:
    found = detect(prefix + rand(ALNUM, 24))
    assert (found.provider, found.kind, found.environment_hint) == ("stripe", kind, env)


def test_environment_hint_is_stripe_only() -> None:
    assert all(detect(s).environment_hint is None for s, p, _ in GOOD if p != "stripe")


def test_aws_account_id_is_decoded_and_zero_padded() -> None:
    assert detect("ASIAY34FZKBOKMUTVV7A").account == "609629065308"
    assert detect(aws_key_id("AKIA", 42)).account == "000000000042"
    assert detect(aws_key_id("ASIA", 999999999999, seed=3)).account == "999999999999"


def test_aws_documentation_example_is_flagged() -> None:
    found = detect("AKIAIOSFODNN7EXAMPLE")
    assert found.provider == "aws"
    assert any("example" in w for w in found.warnings)


def test_gitlab_routable_token_reads_ids_and_checks_crc() -> None:
    token = gitlab_routable("glpat-", {"c": "1", "o": "2s", "u": "zz", "p": "a"})
    found = detect(token)
    assert found.checksum_valid is True
    assert found.account == str(int("zz", 36))
    assert found.resources == (f"organization-id:{int('2s', 36)}", "project-id:10")
    broken = detect(break_last(token))
    assert (broken.provider, broken.checksum_valid) == ("gitlab", False)


def test_gitlab_legacy_token_has_no_ids() -> None:
    found = detect("glpat-" + rand(B64URL, 20))
    assert (found.account, found.resources) == (None, ())


def test_new_github_installation_token_reads_app_id_and_times() -> None:
    found = detect("ghs_987654_" + hs256({"exp": 2000000000, "iat": 1999996400}))
    assert found.kind == "installation"
    assert found.resources == ("github-app:987654",)
    assert found.expires_at is not None and found.expires_at.year == 2033
    assert found.claims is None  # the embedded JWT's claims are not surfaced as the token's own


def test_new_github_installation_token_with_opaque_tail_does_not_crash() -> None:
    found = detect("ghs_1_" + rand(ALNUM, 200))
    assert (found.provider, found.kind, found.expires_at) == ("github", "installation", None)


def test_near_miss_gets_a_hint_without_the_value() -> None:
    sample = "ghp_" + rand(ALNUM, 30)
    found = detect(sample)
    assert found.provider is None
    assert any("GitHub" in w and "truncated" in w for w in found.warnings)
    assert all(sample[4:] not in w for w in found.warnings)


def test_plain_text_gets_no_hint() -> None:
    assert detect("hello world").warnings == ()
    assert detect("s.a").warnings == ()


def _no_long_piece(found: Detection, value: str) -> None:
    """No 12 characters of the secret part (after the public prefix) appear anywhere."""
    text = repr(found) + repr(found.to_json())
    skip = max((len(f.prefix) for f in candidates(value)), default=0)
    for start in range(skip, max(skip + 1, len(value) - 12)):
        assert value[start : start + 12] not in text


@pytest.mark.parametrize(
    ("sample", "provider", "kind"),
    [g for g in GOOD if g[1] not in ("jwt", "github") or g[2] == "classic-pat"],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else "",
)
def test_detection_never_contains_a_long_piece_of_the_value(
    sample: str, provider: str, kind: str
) -> None:
    _no_long_piece(detect(sample), sample)
    _no_long_piece(detect(break_last(sample)), sample)


def test_to_json_has_the_documented_keys() -> None:
    data = detect(crc_token("ghp_")).to_json()
    assert list(data) == [
        "provider",
        "kind",
        "checksum_valid",
        "environment_hint",
        "expires_at",
        "not_before",
        "issued_at",
        "scopes",
        "cidrs",
        "resources",
        "account",
        "claims",
        "claims_verified",
        "unsigned",
        "warnings",
    ]
    assert data["claims_verified"] is False
