"""Add or edit a token: paste a value and token intelligence fills in what it can read.

Only what the user typed or changed is handed to the service as user-given; a field that still
shows what detection filled in is left to the service, which records it as "from the token".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vault_app.core import validate
from vault_app.core.errors import ValidationError, VaultError
from vault_app.core.model import RecordRef, TokenRecord
from vault_app.core.secret import Secret
from vault_app.core.tokens import detect
from vault_app.gui.errors import user_message
from vault_app.gui.icons import icon
from vault_app.services.inputs import TokenFields, parse_fields
from vault_app.services.vault import check_value
from vault_app.services.views import iso

#: line-edit fields: (key, label, placeholder)
_TEXT_FIELDS = (
    ("provider", "Pro&vider:", "github, stripe, … (filled in from the token)"),
    ("kind", "&Kind:", "e.g. fine-grained-pat"),
    ("expires", "E&xpires:", "2027-03-31, 90d, or never"),
    ("not_before", "Not &before:", "optional: 2026-01-01 or 2d"),
    ("scopes", "&Scopes:", "comma separated, e.g. repo, read:org"),
    ("cidrs", "&CIDRs:", "comma separated, e.g. 203.0.113.0/24"),
    ("countries", "C&ountries:", "comma separated ISO codes, e.g. DE, FR"),
    ("endpoints", "E&ndpoints:", "comma separated METHOD /path, e.g. GET /repos/**"),
    ("resources", "&Resources:", "comma separated, e.g. project:web"),
    ("tags", "&Tags:", "comma separated"),
)
_AUTO = ("provider", "kind", "expires", "not_before", "scopes", "cidrs", "resources")


@dataclass(frozen=True, slots=True)
class TokenRequest:
    name: str
    env: str
    value: Secret | None
    fields: TokenFields

    def __repr__(self) -> str:
        return f"TokenRequest({self.name!r}, {self.env!r})"


Save = Callable[[TokenRequest], tuple[str, ...]]
Holders = Callable[[Secret], list[RecordRef]]


class TokenDialog(QDialog):
    def __init__(  # noqa: PLR0915 - builds a form
        self,
        *,
        environments: list[str],
        now: Callable[[], datetime],
        save: Save,
        holders: Holders,
        record: TokenRecord | None = None,
        default_env: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = now
        self._save = save
        self._holders = holders
        self._record = record
        self._auto: dict[str, str] = {}
        self.warnings: tuple[str, ...] = ()
        editing = record is not None
        self.setObjectName("tokenDialog")
        self.setWindowTitle(f"Edit {record.name} ({record.env})" if record else "Add a token")
        self.setAccessibleName(self.windowTitle())
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.name = QLineEdit(record.name if record else "")
        self.name.setObjectName("nameInput")
        self.name.setPlaceholderText("e.g. GITHUB_TOKEN")
        self.name.setAccessibleName("Name")
        self.name.setReadOnly(editing)
        form.addRow("&Name:", self.name)

        self.env = QComboBox()
        self.env.setObjectName("envInput")
        self.env.setEditable(not editing)
        self.env.setAccessibleName("Environment")
        self.env.addItems(environments)
        chosen = record.env if record else (default_env or "dev")
        if self.env.findText(chosen) < 0:
            self.env.addItem(chosen)
        self.env.setCurrentText(chosen)
        self.env.setEnabled(not editing)
        form.addRow("&Environment:", self.env)

        self.value = QLineEdit()
        self.value.setObjectName("valueInput")
        self.value.setEchoMode(QLineEdit.EchoMode.Password)
        self.value.setAccessibleName("Token value")
        self.value.setPlaceholderText(
            "leave empty to keep the current value" if editing else "paste the token here"
        )
        show = QAction(icon("action-show"), "Show the value", self.value)
        show.setCheckable(True)
        show.toggled.connect(
            lambda on: self.value.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        self.value.addAction(show, QLineEdit.ActionPosition.TrailingPosition)
        form.addRow("&Value:", self.value)

        self.detected = QLabel()
        self.detected.setObjectName("detectedLabel")
        self.detected.setWordWrap(True)
        self.detected.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow("", self.detected)

        self.inputs: dict[str, QLineEdit] = {}
        initial = _initial_texts(record)
        for key, label, placeholder in _TEXT_FIELDS:
            edit = QLineEdit(initial.get(key, ""))
            edit.setObjectName(f"{key}Input")
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(label.replace("&", "").rstrip(":"))
            form.addRow(label, edit)
            self.inputs[key] = edit
        self.rotate = QSpinBox()
        self.rotate.setObjectName("rotateInput")
        self.rotate.setRange(0, 3650)
        self.rotate.setSpecialValueText("policy default")
        self.rotate.setSuffix(" days")
        self.rotate.setAccessibleName("Rotate every")
        self.rotate.setValue(record.rotate_every_days or 0 if record else 0)
        form.addRow("Rotate e&very:", self.rotate)
        self.notes = QPlainTextEdit(record.notes if record else "")
        self.notes.setObjectName("notesInput")
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(64)
        form.addRow("N&otes:", self.notes)
        self._initial = {**initial, "notes": record.notes if record else ""}
        self._initial_rotate = self.rotate.value()
        layout.addLayout(form)

        self.reuse = QLabel()
        self.reuse.setObjectName("reuseWarning")
        self.reuse.setWordWrap(True)
        self.reuse.setTextFormat(Qt.TextFormat.PlainText)
        self.reuse.setStyleSheet("color: #d48c00;")
        self.reuse.hide()
        layout.addWidget(self.reuse)
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #d93a3a;")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.value.textChanged.connect(self._value_changed)
        for edit in (self.name, *self.inputs.values()):
            edit.textChanged.connect(self._validate)
        self.env.currentTextChanged.connect(self._validate)
        self.setMinimumWidth(520)
        self._validate()

    # -- token intelligence --------------------------------------------------------------------
    def _value_changed(self, text: str) -> None:
        stripped = text.strip()
        found = detect(stripped) if stripped else None
        auto: dict[str, str] = {}
        if found is not None and found.recognised:
            auto = {
                "provider": found.provider or "",
                "kind": found.kind or "",
                "expires": iso(found.expires_at) or "",
                "not_before": iso(found.not_before) or "",
                "scopes": ", ".join(found.scopes),
                "cidrs": ", ".join(found.cidrs),
                "resources": ", ".join(found.resources),
            }
        for key in _AUTO:
            edit = self.inputs[key]
            current = edit.text()
            # Fill what is empty or still shows an earlier guess; never overwrite typing.
            if current in ("", self._auto.get(key, "")) and current != auto.get(key, ""):
                edit.setText(auto.get(key, ""))
        self._auto = auto
        if found is None:
            self.detected.setText("")
        elif not found.recognised:
            self.detected.setText("Not recognised: fill in what you know about it.")
        else:
            parts = [f"Recognised: {found.provider} {found.kind or ''}".rstrip()]
            if found.expires_at:
                parts.append(f"expires {iso(found.expires_at)}")
            if found.claims is not None:
                parts.append("JWT claims read (unverified)")
            parts.extend(f"⚠ {w}" for w in found.warnings)
            self.detected.setText(" · ".join(parts))
        self._show_reuse(stripped)
        self._validate()

    def _show_reuse(self, value: str) -> None:
        others: list[RecordRef] = []
        if value:
            try:
                others = self._holders(Secret(value))
            except VaultError:
                others = []
        if self._record is not None:
            others = [r for r in others if (r.name, r.env) != self._record.key]
        if not others:
            self.reuse.hide()
            return
        env = self.env.currentText().strip().lower()
        where = ", ".join(f"{r.name} ({r.env})" for r in others)
        across = any(r.env != env for r in others)
        self.reuse.setText(
            f"⚠ This value is already stored as {where}."
            + (
                " Reusing one token across environments means a leak in one exposes the other; "
                "consider a separate token per environment."
                if across
                else ""
            )
        )
        self.reuse.show()

    # -- validation ----------------------------------------------------------------------------
    def _validate(self) -> bool:
        try:
            self.request()
        except VaultError as exc:
            self.error.setText(user_message(exc))
            self.error.show()
            return False
        self.error.hide()
        return True

    def _given(self, key: str) -> str | None:
        text = self.inputs[key].text().strip()
        if text == self._initial.get(key, "").strip() or (text and text == self._auto.get(key)):
            return None
        return text

    def request(self) -> TokenRequest:
        """What the form says, validated; raises ValidationError naming the first problem."""
        name = validate.name(self.name.text().strip())
        env_text = self.env.currentText().strip()
        if not env_text:
            raise ValidationError("choose an environment")
        env = validate.environment(env_text)
        raw = self.value.text()
        value: Secret | None = None
        if raw.strip():
            value = check_value(Secret(raw))
        elif self._record is None:
            raise ValidationError("paste the token value")

        def many(key: str) -> list[str] | None:
            text = self._given(key)
            if text is None:
                return None
            return [p.strip() for p in text.split(",") if p.strip()] if text else [""]

        def one(key: str) -> str | None:
            text = self._given(key)
            if text is None:
                return None
            if not text and key in ("expires", "not_before"):
                return "never"
            return text or None

        notes = self.notes.toPlainText()
        rotate = self.rotate.value()
        fields = parse_fields(
            self._now(),
            provider=one("provider"),
            kind=one("kind"),
            expires=one("expires"),
            not_before=one("not_before"),
            rotate_every=rotate if rotate and rotate != self._initial_rotate else None,
            scopes=many("scopes"),
            cidrs=many("cidrs"),
            countries=many("countries"),
            endpoints=many("endpoints"),
            resources=many("resources"),
            tags=many("tags"),
            notes=notes if notes != self._initial.get("notes", "") else None,
        )
        return TokenRequest(name, env, value, fields)

    def accept(self) -> None:
        try:
            request = self.request()
            self.warnings = self._save(request)
        except VaultError as exc:
            self.error.setText(user_message(exc))
            self.error.show()
            return
        self.value.clear()
        super().accept()


def _initial_texts(record: TokenRecord | None) -> dict[str, str]:
    if record is None:
        return {}
    c = record.constraints
    return {
        "provider": record.provider or "",
        "kind": record.kind or "",
        "expires": iso(record.expires_at) or "",
        "not_before": iso(record.not_before) or "",
        "scopes": ", ".join(c.scopes),
        "cidrs": ", ".join(c.cidrs),
        "countries": ", ".join(c.countries),
        "endpoints": ", ".join(c.endpoints),
        "resources": ", ".join(c.resources),
        "tags": ", ".join(record.tags),
    }
