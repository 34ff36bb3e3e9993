"""User preferences of the desktop app, kept in QSettings (they are not token metadata)."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

from PySide6.QtCore import QSettings

from vault_app.core.model import RecordRef

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
    #: closing the window keeps the app running in the tray (where there is a tray)
    close_to_tray: bool = True

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
            close_to_tray=self.close_to_tray,
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


# -- the tray's quick-copy lists: token names and environments only (no values, no metadata) ----
PINNED = "tray/pinned"
RECENT = "tray/recent"
RECENT_LIMIT = 8


def load_refs(settings: QSettings, key: str) -> list[RecordRef]:
    raw = settings.value(key, "[]")
    try:
        items = json.loads(str(raw))
    except ValueError:
        return []
    refs = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item):
            refs.append(RecordRef(item[0], item[1]))
    return refs


def save_refs(settings: QSettings, key: str, refs: list[RecordRef]) -> None:
    settings.setValue(key, json.dumps([[r.name, r.env] for r in refs]))
    settings.sync()


def set_pinned(settings: QSettings, ref: RecordRef, pinned: bool) -> None:
    refs = [r for r in load_refs(settings, PINNED) if r != ref]
    save_refs(settings, PINNED, [*refs, ref] if pinned else refs)


def push_recent(settings: QSettings, ref: RecordRef) -> None:
    refs = [ref, *(r for r in load_refs(settings, RECENT) if r != ref)]
    save_refs(settings, RECENT, refs[:RECENT_LIMIT])


def forget(settings: QSettings, ref: RecordRef) -> None:
    """A removed token leaves both lists."""
    for key in (PINNED, RECENT):
        save_refs(settings, key, [r for r in load_refs(settings, key) if r != ref])
