"""First run (create the vault) and later starts (unlock it). Neither dialog keeps the passphrase
after it is handed over; the KDF runs on the worker thread, so the dialog stays responsive.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vault_app.core.secret import Secret
from vault_app.services.vault import keyring_status, strength_hint


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("errorLabel")
    label.setWordWrap(True)
    label.setStyleSheet("color: #d93a3a;")
    label.hide()
    return label


class UnlockDialog(QDialog):
    """Asks for the passphrase and emits ``submitted``; the owner tries it and calls
    :meth:`failed` with a message to ask again, or :meth:`succeeded`."""

    submitted = Signal(object)  # Secret

    def __init__(self, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unlockDialog")
        self.setWindowTitle("Unlock Vault App")
        self.setAccessibleName("Unlock the vault")
        layout = QVBoxLayout(self)
        intro = QLabel(f"Enter the passphrase of the vault in<br><b>{_escape(location)}</b>")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphraseInput")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setPlaceholderText("Passphrase")
        layout.addWidget(self.passphrase)
        self.error = _error_label()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Unlock")
        ok.setAccessibleName("Unlock")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)

    def accept(self) -> None:
        if not self.passphrase.text():
            self.failed("Enter the passphrase.")
            return
        secret = Secret(self.passphrase.text())
        self.passphrase.clear()  # the widget does not keep it
        self.set_busy(True)
        self.submitted.emit(secret)

    def succeeded(self) -> None:
        self.set_busy(False)
        super().accept()

    def set_busy(self, busy: bool) -> None:
        self.passphrase.setEnabled(not busy)
        self.buttons.setEnabled(not busy)
        if busy:
            self.error.setText("Unlocking…")
            self.error.setStyleSheet("")
            self.error.show()

    def failed(self, message: str) -> None:
        self.set_busy(False)
        self.error.setStyleSheet("color: #d93a3a;")
        self.error.setText(message)
        self.error.show()
        self.passphrase.setFocus()


class CreateVaultDialog(QDialog):
    """First run: the keyring when usable, a passphrase otherwise or in addition.

    Emits ``submitted(passphrase: Secret | None, use_keyring: bool)``."""

    submitted = Signal(object, bool)

    def __init__(self, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createVaultDialog")
        self.setWindowTitle("Create your vault")
        self.setAccessibleName("Create a new vault")
        status = keyring_status()
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Vault App keeps your API tokens encrypted in<br>"
            f"<b>{_escape(location)}</b><br>Choose how to unlock it."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.use_keyring = QCheckBox("Keep the key in the system keyring (unlocks without asking)")
        self.use_keyring.setObjectName("useKeyring")
        self.use_keyring.setAccessibleName("Use the system keyring")
        self.use_keyring.setChecked(status.usable)
        self.use_keyring.setEnabled(status.usable)
        if not status.usable:
            self.use_keyring.setToolTip(f"Not available here: {status.reason}")
        layout.addWidget(self.use_keyring)
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("newPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.confirm = QLineEdit()
        self.confirm.setObjectName("confirmPassphrase")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName("Repeat the passphrase")
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("&Repeat:", self.confirm)
        layout.addLayout(form)
        self.hint = QLabel()
        self.hint.setObjectName("strengthHint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.error = _error_label()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create vault")
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.passphrase.textChanged.connect(self._update_hint)
        self.use_keyring.toggled.connect(self._update_hint)
        self._update_hint()
        self.setMinimumWidth(440)

    def _update_hint(self) -> None:
        text = self.passphrase.text()
        if not text:
            optional = self.use_keyring.isChecked()
            self.hint.setText(
                "A passphrase is optional with the keyring; add one to unlock on other machines "
                "or if the keyring is lost."
                if optional
                else "A passphrase is needed: no usable keyring here."
            )
            return
        hint = strength_hint(text)
        self.hint.setText(f"Passphrase {hint}." if hint else "Passphrase strength looks good.")

    def _check(self) -> None:
        text = self.passphrase.text()
        if not text and not self.use_keyring.isChecked():
            self._fail("Enter a passphrase: without the keyring it is the only way in.")
        elif text != self.confirm.text():
            self._fail("The two passphrases differ.")
        else:
            self.error.hide()
            secret = Secret(text) if text else None
            self.passphrase.clear()
            self.confirm.clear()
            self.buttons.setEnabled(False)
            self.submitted.emit(secret, self.use_keyring.isChecked())

    def succeeded(self) -> None:
        self.accept()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def failed(self, message: str) -> None:
        self.buttons.setEnabled(True)
        self._fail(message)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
