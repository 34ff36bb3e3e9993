"""The few colours the app adds to the palette: legible on light and dark backgrounds alike."""

from __future__ import annotations

from PySide6.QtGui import QColor

PROD = QColor("#d93a3a")
PROD_TINT = QColor(217, 58, 58, 46)
STATUS = {
    "ok": QColor("#2e9d4f"),
    "expiring": QColor("#d48c00"),
    "expired": QColor("#d93a3a"),
    "no-expiry": QColor("#8a8f98"),
}
SEVERITY = {"critical": QColor("#d93a3a"), "warning": QColor("#d48c00"), "info": QColor("#3b7dd8")}
