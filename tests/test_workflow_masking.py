"""The output masker: every split point, overlapping values, prompt output, and no leaks."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault_app.core.masking import Masker, mask_all

SECRET = b"ghp_S3cretValue0123456789abcdef"
SECRETS = [("GITHUB_TOKEN", SECRET)]
TEXT = b"before " + SECRET + b" middle " + SECRET + b" after\n"
EXPECTED = b"before <concealed:GITHUB_TOKEN> middle <concealed:GITHUB_TOKEN> after\n"


def feed_in(masker: Masker, pieces: list[bytes]) -> bytes:
    return b"".join(masker.feed(p) for p in pieces) + masker.finish()


def test_whole_stream():
    assert mask_all(SECRETS, TEXT) == EXPECTED


@pytest.mark.parametrize("cut", range(len(TEXT) + 1))
def test_every_single_split_point(cut):
    assert feed_in(Masker(SECRETS), [TEXT[:cut], TEXT[cut:]]) == EXPECTED


def test_every_pair_of_split_points():
    for a, b in itertools.combinations(range(len(TEXT) + 1), 2):
        assert feed_in(Masker(SECRETS), [TEXT[:a], TEXT[a:b], TEXT[b:]]) == EXPECTED, (a, b)


def test_one_byte_at_a_time():
    assert feed_in(Masker(SECRETS), [bytes([c]) for c in TEXT]) == EXPECTED


def test_output_that_cannot_start_a_value_is_passed_on_at_once():
    masker = Masker(SECRETS)
    assert masker.feed(b"Password: ") == b"Password: "
    assert masker.held == 0
    # Only a possible start of the value waits, and never more than len(value) - 1 bytes.
    assert masker.feed(b"ok gh") == b"ok "
    assert masker.held == 2
    assert masker.feed(SECRET[2:-1]) == b""
    assert masker.held == len(SECRET) - 1
    assert masker.feed(b"!") == SECRET[:-1] + b"!"
    assert masker.finish() == b""


def test_a_held_beginning_is_released_at_the_end():
    masker = Masker(SECRETS)
    assert masker.feed(b"x ghp_S3") == b"x "
    assert masker.finish() == b"ghp_S3"


def test_value_inside_another_value_longest_wins():
    secrets = [("SHORT", b"abc"), ("LONG", b"abcdef")]
    for cut in range(len(b"1abcdef2") + 1):
        data = b"1abcdef2"
        assert feed_in(Masker(secrets), [data[:cut], data[cut:]]) == b"1<concealed:LONG>2"
    assert mask_all(secrets, b"abcxyz") == b"<concealed:SHORT>xyz"


def test_overlapping_values_mask_the_first():
    secrets = [("A", b"abcd"), ("B", b"cdXY")]
    data = b"abcdXY"
    for cut in range(len(data) + 1):
        out = feed_in(Masker(secrets), [data[:cut], data[cut:]])
        assert out == b"<concealed:A>XY", cut


def test_several_values_and_repeats():
    secrets = [("A", b"alpha-secret-1"), ("B", b"beta-secret-22")]
    data = b"alpha-secret-1beta-secret-22alpha-secret-1 end"
    for cut in range(len(data) + 1):
        out = feed_in(Masker(secrets), [data[:cut], data[cut:]])
        assert out == b"<concealed:A><concealed:B><concealed:A> end"


def test_same_value_under_two_names_uses_one_label():
    out = mask_all([("FIRST", b"same-value-1"), ("SECOND", b"same-value-1")], b"same-value-1")
    assert out == b"<concealed:FIRST>"


def test_binary_and_non_utf8_bytes_pass_through():
    data = b"\xff\xfe\x00" + SECRET + b"\x80"
    assert mask_all(SECRETS, data) == b"\xff\xfe\x00<concealed:GITHUB_TOKEN>\x80"


def test_no_values_is_a_pass_through():
    masker = Masker([])
    assert masker.feed(b"anything") == b"anything"
    assert masker.finish() == b""


def test_repr_has_no_value():
    assert SECRET not in repr(Masker(SECRETS)).encode()


@settings(max_examples=200, deadline=None)
@given(
    before=st.binary(max_size=40),
    after=st.binary(max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
)
def test_value_never_leaks_whatever_the_chunks(before, after, cuts):
    data = before + SECRET + after
    points = sorted({min(c, len(data)) for c in cuts})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    out = feed_in(Masker(SECRETS), pieces)
    assert SECRET not in out
    assert out == mask_all(SECRETS, data)
