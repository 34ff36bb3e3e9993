"""A wrapper that keeps a secret value out of reprs, f-strings, logs and tracebacks."""

from __future__ import annotations

from typing import NoReturn


class Secret:
    """Holds a secret string; the only way out is :meth:`reveal`, which is easy to grep for."""

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        raise TypeError("Secret is not hashable: compare fingerprints instead")

    def __reduce__(self) -> NoReturn:
        raise TypeError("Secret cannot be pickled")

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)
