"""Settings, and the health view (all findings grouped by severity, each opening its token)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from vault_app.core.health import HealthReport, Severity
from vault_app.core.model import RecordRef
from vault_app.gui import colours
from vault_app.gui.icons import icon
from vault_app.gui.settings import Preferences

REF_ROLE = Qt.ItemDataRole.UserRole + 10


class SettingsDialog(QDialog):
    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.clear_delay = QSpinBox()
        self.clear_delay.setObjectName("clipboardDelay")
        self.clear_delay.setRange(5, 600)
        self.clear_delay.setSuffix(" s")
        self.clear_delay.setValue(prefs.clipboard_clear_seconds)
        self.clear_delay.setAccessibleName("Clear the clipboard after, in seconds")
        form.addRow("Clear the &clipboard after:", self.clear_delay)
        self.auto_lock = QSpinBox()
        self.auto_lock.setObjectName("autoLock")
        self.auto_lock.setRange(0, 24 * 60)
        self.auto_lock.setSuffix(" min")
        self.auto_lock.setSpecialValueText("never")
        self.auto_lock.setValue(prefs.auto_lock_minutes)
        self.auto_lock.setAccessibleName("Lock after idle minutes, 0 for never")
        form.addRow("&Lock when idle for:", self.auto_lock)
        self.expiring = QSpinBox()
        self.expiring.setObjectName("expiringDays")
        self.expiring.setRange(1, 365)
        self.expiring.setSuffix(" days")
        self.expiring.setValue(prefs.expiring_days)
        self.expiring.setAccessibleName("Show as expiring with fewer days left than")
        form.addRow("Show as &expiring within:", self.expiring)
        self.confirm_prod = QCheckBox("Ask before copying a production token")
        self.confirm_prod.setObjectName("confirmProdCopy")
        self.confirm_prod.setChecked(prefs.confirm_prod_copy)
        self.confirm_prod.setAccessibleName("Ask before copying a production token")
        form.addRow("", self.confirm_prod)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def preferences(self) -> Preferences:
        return Preferences(
            clipboard_clear_seconds=self.clear_delay.value(),
            auto_lock_minutes=self.auto_lock.value(),
            expiring_days=self.expiring.value(),
            confirm_prod_copy=self.confirm_prod.isChecked(),
        ).clamped()


def health_model(report: HealthReport) -> QStandardItemModel:
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels(["Finding", "Tokens"])
    for severity in Severity:  # critical, warning, info
        findings = [f for f in report.findings if f.severity == severity]
        if not findings:
            continue
        group = QStandardItem(
            icon(f"health-{severity.value}"), f"{severity.value} ({len(findings)})"
        )
        group.setForeground(colours.SEVERITY[severity.value])
        group.setEditable(False)
        group_tokens = QStandardItem("")
        group_tokens.setEditable(False)
        for f in findings:
            item = QStandardItem(f"{f.code}: {f.message}")
            item.setToolTip(f.message)
            item.setEditable(False)
            first = f.tokens[0] if f.tokens else None
            item.setData(first, REF_ROLE)
            tokens = QStandardItem(", ".join(f"{t.name} ({t.env})" for t in f.tokens))
            tokens.setEditable(False)
            tokens.setData(first, REF_ROLE)
            group.appendRow([item, tokens])
        model.appendRow([group, group_tokens])
    return model


class HealthDialog(QDialog):
    open_token = Signal(object)  # RecordRef

    def __init__(self, report: HealthReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("healthDialog")
        self.setWindowTitle("Health")
        self.setAccessibleName("Health findings")
        layout = QVBoxLayout(self)
        summary = report.summary()
        layout.addWidget(
            QLabel(
                f"{summary['critical']} critical, {summary['warning']} warnings, "
                f"{summary['info']} notes over {summary['tokens']} tokens. "
                "Double-click or press Enter on a finding to open its token."
            )
        )
        self.model = health_model(report)
        self.view = QTreeView()
        self.view.setObjectName("healthTree")
        self.view.setAccessibleName("Findings by severity")
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setWordWrap(False)
        self.view.expandAll()
        self.view.setColumnWidth(0, 560)
        self.view.activated.connect(self._activated)
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 480)

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        ref = index.data(REF_ROLE)
        if isinstance(ref, RecordRef):
            self.open_token.emit(ref)
            self.accept()
