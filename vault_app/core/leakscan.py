"""Finding the vault's own values in text: one pass per file, whatever the number of values.

Tokens are runs of "token characters". The scanner finds runs at least as long as the shortest
value with one regular expression (C speed), then slides a fixed-width window over each run and
looks the window up in a dict of value prefixes; only a prefix hit is compared in full. Work is
linear in the length of the long runs, not in files x values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from vault_app.core.model import RecordRef

MIN_VALUE_LENGTH = 8
_PREFIX_MAX = 16
_TOKEN_BYTES = rb"A-Za-z0-9_\-.+/=~:"


@dataclass(frozen=True, slots=True)
class Hit:
    offset: int
    line: int
    ref: RecordRef


class ValueMatcher:
    """Built once from ``value -> records``; values never leave it (no repr of its contents)."""

    def __init__(self, values: Mapping[bytes, Sequence[RecordRef]]) -> None:
        usable = {v: tuple(refs) for v, refs in values.items() if len(v) >= MIN_VALUE_LENGTH}
        self.skipped = len(values) - len(usable)
        self._width = min([_PREFIX_MAX, *(len(v) for v in usable)]) if usable else _PREFIX_MAX
        self._by_prefix: dict[bytes, list[tuple[bytes, tuple[RecordRef, ...]]]] = {}
        for value, refs in usable.items():
            self._by_prefix.setdefault(value[: self._width], []).append((value, refs))
        self._runs = re.compile(rb"[" + _TOKEN_BYTES + rb"]{%d,}" % self._width)

    def __repr__(self) -> str:
        return f"ValueMatcher({sum(len(v) for v in self._by_prefix.values())} values)"

    def __bool__(self) -> bool:
        return bool(self._by_prefix)

    def find(self, data: bytes) -> Iterator[Hit]:
        if not self._by_prefix:
            return
        width, table = self._width, self._by_prefix
        for run in self._runs.finditer(data):
            start, end = run.span()
            for i in range(start, end - width + 1):
                candidates = table.get(data[i : i + width])
                if candidates is None:
                    continue
                for value, refs in candidates:
                    if data.startswith(value, i):
                        line = data.count(b"\n", 0, i) + 1
                        for ref in refs:
                            yield Hit(i, line, ref)
