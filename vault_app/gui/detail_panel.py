"""The selected token in full: constraints with where they came from, JWT claims (unverified),
health findings with their fix, reuse, notes and history; a History tab with the stored versions,
rotation runs and rollback. Never shows or holds the value."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vault_app.core.model import RecordRef, Source
from vault_app.gui import colours
from vault_app.gui.history_view import HistoryView
from vault_app.gui.icons import icon, provider_icon
from vault_app.gui.rows import Row
from vault_app.gui.table_model import status_of
from vault_app.services.views import countdown

_SOURCE = {
    Source.USER: "entered by you",
    Source.TOKEN: "read from the token",
    Source.PROVIDER: "from the provider",
}
_STATUS_WORDS = {
    "ok": "valid",
    "expiring": "expiring soon",
    "expired": "expired",
    "no-expiry": "no expiry",
}


def _chips(values: Sequence[str], colour: str = "#3b7dd8") -> str:
    chip = '<span style="background-color:{bg}; color:#ffffff;">&nbsp;{text}&nbsp;</span>'
    return " ".join(chip.format(bg=colour, text=html.escape(v)) for v in values)


class DetailPanel(QScrollArea):
    copy_requested = Signal()
    edit_requested = Signal()
    remove_requested = Signal()
    rotate_requested = Signal()
    rollback_requested = Signal()
    #: the History tab is showing this token (RecordRef): the window reads its versions and runs
    history_wanted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:  # noqa: PLR0915 - builds a form
        super().__init__(parent)
        self.setObjectName("detailPanel")
        self.setAccessibleName("Token details")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(320)
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(12, 8, 12, 8)
        self.setWidget(body)

        header = QHBoxLayout()
        self.provider_icon = QLabel()
        self.provider_icon.setFixedSize(32, 32)
        header.addWidget(self.provider_icon)
        self.title = QLabel()
        self.title.setObjectName("detailTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(self.title, 1)
        self._layout.addLayout(header)

        buttons = QHBoxLayout()
        self.copy_button = QPushButton(icon("action-copy"), "&Copy value")
        self.copy_button.setObjectName("detailCopy")
        self.copy_button.setAccessibleName("Copy the value")
        self.copy_button.clicked.connect(self.copy_requested)
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.setObjectName("detailEdit")
        self.edit_button.setAccessibleName("Edit this token")
        self.edit_button.clicked.connect(self.edit_requested)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setObjectName("detailRemove")
        self.remove_button.setAccessibleName("Remove this token")
        self.remove_button.clicked.connect(self.remove_requested)
        self.rotate_button = QPushButton("R&otate…")
        self.rotate_button.setObjectName("detailRotate")
        self.rotate_button.setAccessibleName("Rotate this token")
        self.rotate_button.setToolTip("Rotate through the token's provider (Ctrl+R)")
        self.rotate_button.clicked.connect(self.rotate_requested)
        for b in (self.copy_button, self.edit_button, self.rotate_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self._layout.addLayout(buttons)

        self.expiry = QLabel()
        self.expiry.setObjectName("detailCountdown")
        self.expiry.setTextFormat(Qt.TextFormat.RichText)
        self.expiry.setWordWrap(True)
        self._layout.addWidget(self.expiry)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("detailTabs")
        self.tabs.setDocumentMode(True)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 4, 0, 0)
        self.body = QLabel()
        self.body.setObjectName("detailBody")
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details_layout.addWidget(self.body)

        self.claims_label = QLabel("<b>JWT claims</b> — <i>unverified: read, not checked</i>")
        details_layout.addWidget(self.claims_label)
        self.claims = QPlainTextEdit()
        self.claims.setObjectName("detailClaims")
        self.claims.setAccessibleName("JWT claims, unverified")
        self.claims.setReadOnly(True)
        self.claims.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.claims.setMaximumHeight(160)
        details_layout.addWidget(self.claims)
        details_layout.addStretch(1)
        self.history = HistoryView()
        self.history.rollback_requested.connect(self.rollback_requested)
        self.tabs.addTab(details, "&Details")
        self.tabs.addTab(self.history, "H&istory")
        self.tabs.currentChanged.connect(lambda _i: self._want_history())
        self._layout.addWidget(self.tabs, 1)
        self.row: Row | None = None
        self.show_row(None, 0, 7 * 86400)

    def show_row(self, row: Row | None, now: int, expiring_seconds: int, history: str = "") -> None:
        self.row = row
        self._expiring = expiring_seconds
        has = row is not None
        for b in (self.copy_button, self.edit_button, self.rotate_button, self.remove_button):
            b.setVisible(has)
        self.tabs.setVisible(has)
        self.history.clear("Loading…" if has else "")
        if row is None:
            self.provider_icon.clear()
            self.title.setText("<i>Select a token to see its details.</i>")
            self.expiry.clear()
            self.body.clear()
            self.claims_label.hide()
            self.claims.hide()
            return
        r = row.record
        self.provider_icon.setPixmap(provider_icon(row.provider or "unknown").pixmap(32, 32))
        env = html.escape(r.env)
        env_html = (
            f'<span style="background-color:{colours.PROD.name()}; color:#fff;">&nbsp;{env}&nbsp;</span>'
            if row.prod
            else env
        )
        kind = html.escape(
            " · ".join(p for p in (r.provider or "unknown provider", r.kind or "") if p)
        )
        self.title.setText(
            f"<span style='font-size:14pt'><b>{html.escape(r.name)}</b></span>"
            f"&nbsp; {env_html}<br><span>{kind}</span>"
        )
        self.tick(now)
        self.body.setText(self._body_html(row, history))
        claims = r.token_info.get("claims")
        if claims:
            self.claims.setPlainText(json.dumps(claims, indent=2, sort_keys=True, default=str))
            self.claims_label.show()
            self.claims.show()
        else:
            self.claims_label.hide()
            self.claims.hide()
        self._want_history()

    def history_showing(self) -> bool:
        return self.row is not None and self.tabs.currentWidget() is self.history

    def _want_history(self) -> None:
        # Read only when the tab is open: selection changes cost nothing otherwise.
        if self.history_showing() and self.row is not None:
            r = self.row.record
            self.history_wanted.emit(RecordRef(r.name, r.env))

    def tick(self, now: int) -> None:
        """The live countdown; called once a second by the window."""
        row = self.row
        if row is None:
            return
        status = status_of(row.expires, now, self._expiring)
        colour = colours.STATUS[status].name()
        left = None if row.expires is None else row.expires - now
        when = ""
        if row.record.expires_at is not None:
            when = " — " + row.record.expires_at.strftime("%Y-%m-%d %H:%M UTC")
            when += _source(row, "expires_at")
        self.expiry.setText(
            f"<b>Expires:</b> <span style='color:{colour}'><b>{html.escape(countdown(left))}</b>"
            f" ({_STATUS_WORDS[status]})</span>{html.escape(when)}"
        )

    def _body_html(self, row: Row, history: str) -> str:
        r = row.record
        c = r.constraints
        parts: list[str] = []

        def section(title: str, content: str) -> None:
            parts.append(f"<p><b>{title}</b><br>{content}</p>")

        if r.not_before is not None:
            section("Not before", html.escape(_when(r.not_before) + _source(row, "not_before")))
        limits = (
            ("Scopes", c.scopes, "scopes", "#3b7dd8"),
            ("Allowed IP ranges (CIDRs)", c.cidrs, "cidrs", "#5b6470"),
            ("Countries", c.countries, "countries", "#5b6470"),
            ("Endpoints", c.endpoints, "endpoints", "#5b6470"),
            ("Resources", c.resources, "resources", "#5b6470"),
        )
        for title, values, key, bg in limits:
            if values:
                section(
                    title,
                    _chips(values, bg)
                    + f"<br><small>{html.escape(_source(row, key).strip(' ()'))}</small>",
                )
            elif key == "scopes":
                section(title, "<i>none recorded (unlimited as far as the vault knows)</i>")
        if row.findings:
            items = []
            for f in row.findings:
                colour = colours.SEVERITY[f.severity.value].name()
                items.append(
                    f"<li><span style='color:{colour}'><b>{html.escape(f.severity.value)}</b></span>"
                    f" <code>{html.escape(f.code)}</code>: {html.escape(f.message)}</li>"
                )
            parts.append(
                "<p style='margin-bottom:0px'><b>Health</b></p>"
                "<ul style='margin-top:0px; margin-left:-20px'>" + "".join(items) + "</ul>"
            )
        if row.reused_in:
            others = ", ".join(
                f"{html.escape(o.name)} ({html.escape(o.env)})" for o in row.reused_in
            )
            section(
                "<span style='color:#d48c00'>⚠ Same value stored elsewhere</span>",
                f"Also stored as {others}. A leak of one is a leak of all.",
            )
        if r.tags:
            section("Tags", _chips(r.tags, "#8a8f98"))
        if r.notes:
            section("Notes", html.escape(r.notes).replace("\n", "<br>"))
        info = []
        info.append(f"Created {_when(r.created_at)}, updated {_when(r.updated_at)}")
        if r.last_rotated_at:
            info.append(f"Last rotated {_when(r.last_rotated_at)}")
        if r.rotate_every_days:
            info.append(f"Rotate every {r.rotate_every_days} days")
        info.append(f"Version {r.version} · fingerprint {r.fingerprint[:12]}")
        section("History", "<br>".join(html.escape(i) for i in info) + history)
        return "".join(parts)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _source(row: Row, key: str) -> str:
    source = row.record.sources.get(key)
    return f" ({_SOURCE[source]})" if source in _SOURCE else ""
