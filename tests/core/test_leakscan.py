"""The multi-value matcher finds every planted value, at the right line, in one pass."""

from __future__ import annotations

import random
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from vault_app.core.leakscan import ValueMatcher
from vault_app.core.model import RecordRef

ALPHABET = string.ascii_letters + string.digits + "_-"


def make_values(n: int, rng: random.Random) -> dict[bytes, list[RecordRef]]:
    return {
        ("tok_" + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(8, 60)))).encode():
        [RecordRef(f"T{i}", "dev")]
        for i in range(n)
    }


def test_finds_each_planted_value_among_thousands():
    rng = random.Random(7)
    values = make_values(5000, rng)
    matcher = ValueMatcher(values)
    planted = rng.sample(sorted(values), 20)
    lines = [b"x = 1  # some_long_identifier_name_here = other_thing" for _ in range(500)]
    where = {}
    for value in planted:
        row = rng.randrange(len(lines))
        lines[row] += b" KEY=" + value + b";"
        where.setdefault(values[value][0], row + 1)
    hits = {(h.ref, h.line) for h in matcher.find(b"\n".join(lines))}
    for ref, line in where.items():
        assert (ref, line) in hits


def test_short_values_are_skipped_and_counted():
    matcher = ValueMatcher({b"abc": [RecordRef("A", "dev")], b"long-enough-value": [RecordRef("B", "dev")]})
    assert matcher.skipped == 1
    assert [h.ref.name for h in matcher.find(b"abc long-enough-value")] == ["B"]
    assert "long-enough" not in repr(matcher)


@settings(max_examples=200, deadline=None)
@given(prefix=st.binary(max_size=200), suffix=st.binary(max_size=200),
       value=st.text(alphabet=ALPHABET, min_size=8, max_size=80))
def test_planted_value_is_found_anywhere(prefix, suffix, value):
    raw = value.encode()
    matcher = ValueMatcher({raw: [RecordRef("X", "prod")]})
    data = prefix + raw + suffix
    offsets = {h.offset for h in matcher.find(data)}
    assert len(prefix) in offsets
