"""Policy file parsing, editing and defaults: errors must name the file and the right line."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault_app.core.errors import PolicyError
from vault_app.core.policy import (
    DEFAULT_POLICY_TOML,
    KNOWN_KEYS,
    Policy,
    format_span,
    parse_policy,
    policy_as_dict,
    set_policy_value,
)


def error_of(text: str, filename: str = "policy.toml") -> str:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, filename=filename)
    return str(caught.value)


# --- defaults -------------------------------------------------------------------------------


def test_default_text_parses_to_the_default_policy() -> None:
    assert parse_policy(DEFAULT_POLICY_TOML) == Policy()


def test_defaults_are_the_documented_ones() -> None:
    p = Policy()
    assert p.expiring_soon_days == 7
    assert p.notify_before == (
        timedelta(days=14),
        timedelta(days=3),
        timedelta(days=1),
        timedelta(hours=1),
        timedelta(0),
    )
    assert dict(p.max_lifetime_days) == {"prod": 90}
    assert p.require_cidr_envs == ("prod",)
    assert p.prod_envs == ("prod",)
    assert p.default_rotation_days == 90
    assert {"*", "admin", "repo", "write:*", "api"} <= set(p.wildcard_scopes)
    assert {"github", "gitlab", "slack", "stripe"} <= set(p.scoped_providers)
    assert p.expiring_within_seconds == 7 * 86400
    hash(p)  # usable as a cache key despite the mapping field


def test_every_key_in_the_default_text_is_commented() -> None:
    lines = DEFAULT_POLICY_TOML.splitlines()
    for key in KNOWN_KEYS:
        index = next(i for i, line in enumerate(lines) if re.match(rf"\[?{key}\]?(\s*=|$)", line))
        assert lines[index - 1].startswith("#"), f"{key} has no comment above it"


def test_empty_file_takes_every_default() -> None:
    assert parse_policy("") == Policy()
    assert parse_policy("# only a comment\n") == Policy()


def test_missing_keys_take_defaults() -> None:
    p = parse_policy("expiring_soon_days = 3\n")
    assert p.expiring_soon_days == 3
    assert p.default_rotation_days == 90
    assert dict(p.max_lifetime_days) == {"prod": 90}


# --- a good file ----------------------------------------------------------------------------

GOOD = """\
# custom
expiring_soon_days = 14
notify_before = ["1h", "2w", "0", "1d12h", "1h"]
default_rotation_days = 0
prod_envs = ["prod", "live", "prod"]
require_cidr_envs = []
wildcard_scopes = ["admin:*"]
scoped_providers = ["GitHub"]

[max_lifetime_days]
prod = 30
staging = 0
live = 60
"""


def test_good_file() -> None:
    p = parse_policy(GOOD)
    assert p.expiring_soon_days == 14
    # sorted longest first, repeats dropped, "0" accepted for "at expiry"
    assert p.notify_before == (
        timedelta(weeks=2),
        timedelta(days=1, hours=12),
        timedelta(hours=1),
        timedelta(0),
    )
    assert p.default_rotation_days is None  # 0 turns it off
    assert p.prod_envs == ("prod", "live")
    assert p.require_cidr_envs == ()
    assert p.wildcard_scopes == ("admin:*",)
    assert p.scoped_providers == ("github",)  # lower-cased
    assert dict(p.max_lifetime_days) == {"prod": 30, "live": 60}  # 0 means no limit


def test_inline_and_dotted_tables_are_accepted() -> None:
    assert dict(parse_policy("max_lifetime_days = { dev = 5 }\n").max_lifetime_days) == {"dev": 5}
    assert dict(parse_policy("max_lifetime_days.dev = 5\n").max_lifetime_days) == {"dev": 5}


# --- bad files: the message names file and line ---------------------------------------------


def test_syntax_error_names_the_line() -> None:
    text = "expiring_soon_days = 7\n\nprod_envs = [prod]\n"
    message = error_of(text)
    assert message.startswith("policy.toml:3: not valid TOML")
    assert "(at line" not in message


def test_syntax_error_at_end_of_document_names_the_last_line() -> None:
    assert error_of("expiring_soon_days = 7\nprod_envs = [\n").startswith("policy.toml:2:")


def test_custom_filename_is_used() -> None:
    assert error_of("bogus = 1\n", filename="/v/policy.toml").startswith("/v/policy.toml:1:")


def test_unknown_key_names_its_line_and_the_known_keys() -> None:
    message = error_of("expiring_soon_days = 7\n# x\nexpring_soon_days = 3\n")
    assert message.startswith("policy.toml:3: unknown key 'expring_soon_days'")
    assert "expiring_soon_days" in message.split("known keys:")[1]


def test_unknown_table_names_its_header_line() -> None:
    assert error_of("\n[lifetimes]\nprod = 3\n").startswith(
        "policy.toml:2: unknown key 'lifetimes'"
    )


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("expiring_soon_days = true\n", 1, "whole number of days, not true/false"),
        ("# c\nexpiring_soon_days = 1.5\n", 2, "not a decimal number"),
        ("# c\n\nexpiring_soon_days = -1\n", 3, "between 0 and 3650"),
        ("default_rotation_days = 99999\n", 1, "between 0 and 3650"),
        ("default_rotation_days = '90'\n", 1, "not a string"),
        ("# c\nprod_envs = 'prod'\n", 2, "must be a list of strings, not a string"),
        ("prod_envs = [1, 2]\n", 1, "must be a list of strings"),
        ("# c\nrequire_cidr_envs = ['Prod']\n", 2, "write the environment as 'prod'"),
        ("prod_envs = ['no spaces']\n", 1, "invalid environment"),
        ("wildcard_scopes = ['two words']\n", 1, "one word"),
        ("scoped_providers = ['']\n", 1, "one word"),
        ("\nnotify_before = ['14d', 'soon']\n", 2, "'soon' is not a span"),
        ("notify_before = ['99999d']\n", 1, "at most 3650 days"),
        ("max_lifetime_days = 90\n", 1, "must be a table"),
        (
            "[max_lifetime_days]\nprod = 90\n\ndev = 'x'\n",
            4,
            "max_lifetime_days.dev must be a whole",
        ),
        ("[max_lifetime_days]\n\nDEV = 3\n", 3, "write the environment as 'dev'"),
        ("max_lifetime_days.dev = -4\n", 1, "max_lifetime_days.dev must be between"),
        ("# c\nmax_lifetime_days = { prod = 90, dev = true }\n", 2, "max_lifetime_days.dev"),
    ],
)
def test_bad_values_name_their_line(text: str, line: int, fragment: str) -> None:
    message = error_of(text)
    assert message.startswith(f"policy.toml:{line}: "), message
    assert fragment in message


def test_error_in_a_multiline_value_names_the_key_line() -> None:
    assert error_of("# c\nprod_envs = [\n  'dev',\n  'PROD',\n]\n").startswith("policy.toml:2:")


def test_key_set_twice_names_the_second_line() -> None:
    message = error_of("expiring_soon_days = 1\nprod_envs = []\nexpiring_soon_days = 2\n")
    assert message == "policy.toml:3: expiring_soon_days is set twice"


def test_key_line_is_found_inside_the_right_table() -> None:
    # "prod" appears at top level (inside prod_envs) and in the table: the table's line is named.
    text = "prod_envs = [\n  'prod',\n]\n[max_lifetime_days]\nprod = 'x'\n"
    assert error_of(text).startswith("policy.toml:5:")


# --- set_policy_value -----------------------------------------------------------------------


def comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def test_set_replaces_a_value_and_keeps_every_comment() -> None:
    text = set_policy_value(DEFAULT_POLICY_TOML, "expiring_soon_days", "10")
    assert parse_policy(text).expiring_soon_days == 10
    assert comments(text) == comments(DEFAULT_POLICY_TOML)
    assert len(text.splitlines()) == len(DEFAULT_POLICY_TOML.splitlines())


def test_set_keeps_a_trailing_comment() -> None:
    text = set_policy_value("expiring_soon_days = 7  # a week\n", "expiring_soon_days", "3")
    assert text == "expiring_soon_days = 3  # a week\n"


def test_set_replaces_a_multiline_array() -> None:
    text = set_policy_value(DEFAULT_POLICY_TOML, "scoped_providers", "github, GitLab")
    assert parse_policy(text).scoped_providers == ("github", "gitlab")
    assert 'scoped_providers = ["github", "GitLab"]\n' in text
    assert '"huggingface"' not in text
    assert comments(text) == comments(DEFAULT_POLICY_TOML)


def test_set_accepts_a_toml_array_and_an_empty_list() -> None:
    text = set_policy_value(DEFAULT_POLICY_TOML, "notify_before", '["2d", "0s"]')
    assert parse_policy(text).notify_before == (timedelta(days=2), timedelta(0))
    text = set_policy_value(text, "require_cidr_envs", "")
    assert parse_policy(text).require_cidr_envs == ()


def test_set_accepts_days_with_a_d_suffix() -> None:
    text = set_policy_value(DEFAULT_POLICY_TOML, "default_rotation_days", "30d")
    assert parse_policy(text).default_rotation_days == 30


def test_set_table_entry_replaces_and_inserts_in_the_table() -> None:
    text = set_policy_value(DEFAULT_POLICY_TOML, "max_lifetime_days.prod", "45")
    text = set_policy_value(text, "max_lifetime_days.dev", "365")
    assert dict(parse_policy(text).max_lifetime_days) == {"prod": 45, "dev": 365}
    assert text.endswith("[max_lifetime_days]\nprod = 45\ndev = 365\n")


def test_set_table_entry_creates_the_table() -> None:
    text = set_policy_value("expiring_soon_days = 7", "max_lifetime_days.dev", "10")
    assert text == "expiring_soon_days = 7\n\n[max_lifetime_days]\ndev = 10\n"


def test_set_table_entry_next_to_dotted_keys() -> None:
    text = set_policy_value("max_lifetime_days.prod = 1\n", "max_lifetime_days.dev", "2")
    assert dict(parse_policy(text).max_lifetime_days) == {"prod": 1, "dev": 2}


def test_set_table_entry_in_an_inline_table_is_refused() -> None:
    with pytest.raises(PolicyError, match="inline table"):
        set_policy_value("max_lifetime_days = { prod = 1 }\n", "max_lifetime_days.dev", "2")


def test_set_missing_top_level_key_goes_before_the_first_table() -> None:
    start = "# mine\nexpiring_soon_days = 7\n\n# limits\n[max_lifetime_days]\nprod = 9\n"
    text = set_policy_value(start, "prod_envs", "prod,production")
    assert text == (
        '# mine\nexpiring_soon_days = 7\nprod_envs = ["prod", "production"]\n\n'
        "# limits\n[max_lifetime_days]\nprod = 9\n"
    )
    assert parse_policy(text).prod_envs == ("prod", "production")


def test_set_into_an_empty_file() -> None:
    assert set_policy_value("", "expiring_soon_days", "2") == "expiring_soon_days = 2\n"
    assert set_policy_value("[max_lifetime_days]\n", "prod_envs", "x") == (
        'prod_envs = ["x"]\n\n[max_lifetime_days]\n'
    )


@pytest.mark.parametrize(
    ("key", "raw", "fragment"),
    [
        ("expiring_soon_days", "soon", "expected a whole number of days"),
        ("expiring_soon_days", "4000", "between 0 and 3650"),
        ("notify_before", "14d, tomorrow", "'tomorrow' is not a span"),
        ("prod_envs", "[1, 2]", "expected a list of strings"),
        ("prod_envs", "[unclosed", "not a valid list"),
        ("nonsense", "1", "unknown policy key 'nonsense'"),
        ("max_lifetime_days", "5", "set one environment at a time"),
        ("max_lifetime_days.Bad Env", "5", "invalid environment"),
        ("expiring_soon_days.x", "5", "has no sub-keys"),
    ],
)
def test_set_validates(key: str, raw: str, fragment: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(fragment)):
        set_policy_value(DEFAULT_POLICY_TOML, key, raw)


def test_set_does_not_modify_the_input_on_error() -> None:
    text = DEFAULT_POLICY_TOML
    with pytest.raises(PolicyError):
        set_policy_value(text, "expiring_soon_days", "-3")
    assert text == DEFAULT_POLICY_TOML


# --- output ---------------------------------------------------------------------------------


def test_policy_as_dict_is_json_and_keyed_like_the_file() -> None:
    data = policy_as_dict(Policy())
    assert set(data) == set(KNOWN_KEYS)
    assert data["notify_before"] == ["14d", "3d", "1d", "1h", "0s"]
    assert data["max_lifetime_days"] == {"prod": 90}
    json.dumps(data)
    off = policy_as_dict(parse_policy("default_rotation_days = 0\n"))
    assert off["default_rotation_days"] is None


def test_policy_as_dict_values_can_be_set_back() -> None:
    custom = parse_policy(GOOD)
    data = policy_as_dict(custom)
    text = ""
    for key, value in data.items():
        if isinstance(value, dict):
            for env, days in value.items():
                text = set_policy_value(text, f"{key}.{env}", str(days))
        elif isinstance(value, list):
            text = set_policy_value(text, key, ",".join(value))
        else:
            text = set_policy_value(text, key, str(value or 0))
    assert parse_policy(text) == custom


@pytest.mark.parametrize(
    ("span", "text"),
    [(timedelta(0), "0s"), (timedelta(days=1, hours=12), "1d12h"), (timedelta(seconds=61), "1m1s")],
)
def test_format_span(span: timedelta, text: str) -> None:
    assert format_span(span) == text


# --- scope matching -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "wild"),
    [
        ("*", True),
        ("admin", True),
        ("ADMIN", True),
        ("repo", True),
        ("write:packages", True),
        ("write:", True),
        ("read:user", False),
        ("public_repo", False),
        ("admin:org", False),
        ("api", True),
        ("read_api", False),
    ],
)
def test_default_wildcard_matching(scope: str, wild: bool) -> None:
    assert bool(Policy().wildcard_matches((scope,))) is wild


def test_lone_star_is_literal_but_other_globs_are_patterns() -> None:
    p = Policy(wildcard_scopes=("*", "admin:*", "rw?"))
    assert p.wildcard_matches(("read", "*", "admin:org", "rwx", "rwxx")) == (
        "*",
        "admin:org",
        "rwx",
    )


def test_scoped_provider_is_case_insensitive() -> None:
    p = Policy()
    assert p.is_scoped_provider("GitHub")
    assert not p.is_scoped_provider("aws")
    assert not p.is_scoped_provider(None)


# --- robustness -----------------------------------------------------------------------------

_toml_like = st.lists(
    st.sampled_from(
        [
            "expiring_soon_days = 7",
            "prod_envs = ['prod', 'x']",
            "notify_before = ['1d',",
            "'0s']",
            "[max_lifetime_days]",
            "prod = 9",
            "dev = 'x'",
            "# comment",
            'scoped_providers = """',
            "[[x]]",
            "a.b = 1",
            "= 3",
            "",
        ]
    )
    | st.text(max_size=20),
    max_size=8,
).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(text=_toml_like)
def test_parse_policy_raises_only_policy_error(text: str) -> None:
    try:
        parse_policy(text)
    except PolicyError as exc:
        assert str(exc).startswith("policy.toml")


@settings(max_examples=200, deadline=None)
@given(
    text=_toml_like,
    key=st.sampled_from([*KNOWN_KEYS, "max_lifetime_days.dev", "max_lifetime_days.prod", "x"]),
    raw=st.text(max_size=15),
)
def test_set_policy_value_returns_a_valid_file_or_raises_policy_error(
    text: str, key: str, raw: str
) -> None:
    try:
        result = set_policy_value(text, key, raw)
    except PolicyError:
        return
    parse_policy(result)
