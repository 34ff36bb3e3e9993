"""Replacing secret values in a byte stream with ``<concealed:NAME>``, chunk by chunk.

Pure logic, no I/O: :class:`Masker` is fed the chunks a pipe delivers and returns what may be
shown. A value split across two chunks is still caught, because the end of a chunk that could
be the beginning of a value is held back until the next chunk (or the end) says what it is.

Only such a possible beginning is held back, never a fixed window, so output that does not end
in the first bytes of a value is passed on at once and interactive programs stay interactive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def placeholder(name: str) -> bytes:
    return f"<concealed:{name}>".encode()


class Masker:
    """Leftmost-longest replacement of every value; holds at most ``max_len - 1`` bytes."""

    __slots__ = ("_first_bytes", "_pattern", "_replacements", "_tail", "_values")

    def __init__(self, secrets: Iterable[tuple[str, bytes]]) -> None:
        by_value: dict[bytes, str] = {}
        for name, value in secrets:
            if value:
                by_value.setdefault(value, name)
        self._replacements = {value: placeholder(name) for value, name in by_value.items()}
        # Longest first: at one position the longest value wins (a value inside another).
        self._values = sorted(by_value, key=len, reverse=True)
        self._pattern = (
            re.compile(b"|".join(re.escape(v) for v in self._values)) if self._values else None
        )
        self._first_bytes = frozenset(v[0] for v in self._values)
        self._tail = b""

    def __repr__(self) -> str:
        return f"Masker({len(self._values)} value(s))"

    @property
    def held(self) -> int:
        """How many bytes are waiting for the next chunk."""
        return len(self._tail)

    def feed(self, chunk: bytes) -> bytes:
        """What may be shown now; a possible start of a value stays until more arrives."""
        if self._pattern is None:
            return chunk
        buffer = self._tail + chunk
        out: list[bytes] = []
        while True:
            hold = self._in_progress(buffer)
            match = self._pattern.search(buffer, 0, len(buffer))
            if match is not None and match.start() < hold:
                out.append(buffer[: match.start()])
                out.append(self._replacements[match.group()])
                buffer = buffer[match.end() :]
                continue
            out.append(buffer[:hold])
            self._tail = buffer[hold:]
            return b"".join(out)

    def finish(self) -> bytes:
        """The end of the stream: what was held back cannot become a value any more."""
        if self._pattern is None:
            return b""
        buffer, self._tail = self._tail, b""
        masked = self._pattern.sub(lambda m: self._replacements[m.group()], buffer)
        return masked

    def _in_progress(self, buffer: bytes) -> int:
        """The earliest position from which ``buffer`` is a proper beginning of some value."""
        longest = len(self._values[0])
        start = max(0, len(buffer) - longest + 1)
        for position in range(start, len(buffer)):
            if buffer[position] not in self._first_bytes:
                continue
            rest = buffer[position:]
            if any(len(v) > len(rest) and v.startswith(rest) for v in self._values):
                return position
        return len(buffer)


def mask_all(secrets: Iterable[tuple[str, bytes]], data: bytes) -> bytes:
    """Mask a whole byte string at once (for tests and small outputs)."""
    masker = Masker(secrets)
    return masker.feed(data) + masker.finish()
