"""User preferences of the desktop app, kept in QSettings (they are not token metadata)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QSettings

_PREFIX = "preferences/"


@dataclass(frozen=True, slots=True)
class Preferences:
    #: seconds before a copied value is cleared from the clipboard (if it is still ours)
    clipboard_clear_seconds: int = 30
    #: minutes without input before the vault locks itself; 0 turns auto-lock off
    auto_lock_minutes: int = 5
    #: a token with fewer days left than this is shown as "expiring"
    expiring_days: int = 7
    #: ask before copying a token that belongs to a production environment
    confirm_prod_copy: bool = False

    @property
    def expiring_seconds(self) -> int:
        return self.expiring_days * 86400

    @classmethod
    def load(cls, settings: QSettings) -> Preferences:
        values: dict[str, object] = {}
        defaults = cls()
        for f in fields(cls):
            default = getattr(defaults, f.name)
            raw = settings.value(_PREFIX + f.name, default)
            values[f.name] = _coerce(raw, default)
        prefs = cls(**values)  # type: ignore[arg-type]
        return prefs.clamped()

    def save(self, settings: QSettings) -> None:
        for f in fields(self):
            settings.setValue(_PREFIX + f.name, getattr(self, f.name))
        settings.sync()

    def clamped(self) -> Preferences:
        return Preferences(
            clipboard_clear_seconds=min(max(self.clipboard_clear_seconds, 5), 600),
            auto_lock_minutes=min(max(self.auto_lock_minutes, 0), 24 * 60),
            expiring_days=min(max(self.expiring_days, 1), 365),
            confirm_prod_copy=self.confirm_prod_copy,
        )


def _coerce(raw: object, default: object) -> object:
    """QSettings hands back strings from INI files; turn them into the default's type."""
    if isinstance(default, bool):
        if isinstance(raw, str):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return bool(raw)
    if isinstance(default, int):
        try:
            return int(str(raw))
        except ValueError:
            return default
    return raw
