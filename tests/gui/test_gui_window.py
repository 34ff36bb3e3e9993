"""The real window over a real vault file: unlock, keyboard contract, filter, environments,
add and edit through the dialog, copy and clear, locking."""

from __future__ import annotations

from gui_support import PASSPHRASE, VALUES  # type: ignore[import-not-found]
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QTableView, QWidget

from vault_app.core.secret import Secret
from vault_app.gui.table_model import Column
from vault_app.gui.token_dialog import TokenDialog
from vault_app.gui.unlock_dialogs import CreateVaultDialog, UnlockDialog


def _visible(window):
    proxy = window.proxy
    return [
        (proxy.index(r, Column.NAME).data(), proxy.index(r, Column.ENV).data())
        for r in range(proxy.rowCount())
    ]


def _select(window, name, env):
    from vault_app.core.model import RecordRef

    assert window.select(RecordRef(name, env))


def test_object_names_and_accessible_names(make_window, vault_dir):
    window = make_window(vault_dir)
    assert window.objectName() == "mainWindow"
    assert isinstance(window.findChild(QTableView, "tokenTable"), QTableView)
    assert isinstance(window.findChild(QLineEdit, "searchBox"), QLineEdit)
    assert isinstance(window.findChild(QComboBox, "environmentSelector"), QComboBox)
    assert isinstance(window.findChild(QWidget, "detailPanel"), QWidget)
    for name in ("tokenTable", "searchBox", "environmentSelector", "detailPanel", "unlockButton"):
        assert window.findChild(QWidget, name).accessibleName()
    assert window.model.rowCount() == len(VALUES)


def test_environment_switcher_order_and_shortcuts(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    assert window.environments() == ["All", "dev", "staging", "prod", "qa"]
    table = window.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.env_selector.currentText() == "prod"
    assert {e for _, e in _visible(window)} == {"prod"}
    qtbot.keyClick(table, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert _visible(window) == [("SLACK_BOT", "qa")]
    qtbot.keyClick(table, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.env_selector.currentText() == "All"
    assert len(_visible(window)) == len(VALUES)


def test_search_focus_filter_and_down_into_table(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    window.search.setText("old text")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search
    assert window.search.selectedText() == "old text"
    qtbot.keyClicks(window.search, "stripe")
    assert window.search.text() == "stripe"
    assert {n for n, _ in _visible(window)} == {"STRIPE_KEY"}
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is window.table
    assert window.table.currentIndex().row() == 0
    first = window.current_row()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.currentIndex().row() == 1
    assert window.current_row() != first
    qtbot.keyClick(window.table, Qt.Key.Key_Up)
    assert window.current_row() == first
    assert first.record.name in window.detail.title.text()


def test_copy_reads_back_and_clears_after_delay(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, clipboard_delay_ms=300)
    clipboard = QGuiApplication.clipboard()
    _select(window, "GITHUB_TOKEN", "dev")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == VALUES[("GITHUB_TOKEN", "dev")]
    assert "x-kde-passwordManagerHint" in clipboard.mimeData().formats()
    assert bytes(clipboard.mimeData().data("x-kde-passwordManagerHint")) == b"secret"
    assert window.clipboard_label.text().startswith("Clipboard clears in")
    # the copy is audited
    assert any(e.action == "copy" and e.name == "GITHUB_TOKEN" for e in window.vault.audit_events())
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)
    assert window.clipboard_label.text() == ""


def test_copy_button_in_the_row(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, clipboard_delay_ms=10_000)
    _select(window, "STRIPE_KEY", "staging")
    index = window.table.currentIndex().siblingAtColumn(Column.COPY)
    rect = window.table.visualRect(index)
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert QGuiApplication.clipboard().text() == VALUES[("STRIPE_KEY", "staging")]
    window.clipboard.clear_now()


def test_clipboard_left_alone_when_changed(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, clipboard_delay_ms=200)
    clipboard = QGuiApplication.clipboard()
    _select(window, "GITHUB_TOKEN", "dev")
    assert window.copy_selected()
    clipboard.setText("something the user copied since")
    qtbot.waitUntil(lambda: not window.clipboard.active, timeout=3000)
    assert clipboard.text() == "something the user copied since"


def test_prod_copy_confirmation_setting(qtbot, make_window, vault_dir, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from vault_app.gui.settings import Preferences

    window = make_window(vault_dir, clipboard_delay_ms=10_000)
    window.apply_preferences(Preferences(confirm_prod_copy=True))
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No
    )
    QGuiApplication.clipboard().clear()
    _select(window, "STRIPE_KEY", "prod")
    assert not window.copy_selected()
    assert asked and QGuiApplication.clipboard().text() == ""
    _select(window, "STRIPE_KEY", "staging")  # not prod: no question
    assert window.copy_selected()
    assert len(asked) == 1
    window.clipboard.clear_now()


def test_lock_on_idle_with_injected_timer(qtbot, make_window, vault_dir):
    timer = QTimer()
    window = make_window(vault_dir, idle_timer=timer, idle_ms=60_000, clipboard_delay_ms=60_000)
    assert timer.isActive() and timer.interval() == 60_000
    _select(window, "GITHUB_TOKEN", "dev")
    assert window.copy_selected()
    timer.timeout.emit()  # the idle time has passed
    assert window.locked
    assert window.model.rowCount() == 0
    assert window.detail.row is None
    assert QGuiApplication.clipboard().text() == ""
    assert window.pages.currentIndex() == 0


def test_input_restarts_the_idle_timer(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, idle_ms=400)
    for _ in range(4):
        qtbot.wait(200)
        qtbot.keyClick(window.table, Qt.Key.Key_Down)
        assert not window.locked
    qtbot.waitUntil(lambda: window.locked, timeout=3000)


def test_ctrl_l_locks_and_unlock_button_unlocks(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    qtbot.keyClick(window.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked and window.model.rowCount() == 0
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        qtbot.mouseClick(window.unlock_button, Qt.MouseButton.LeftButton)
    assert not window.locked and window.model.rowCount() == len(VALUES)


def test_unlock_dialog_wrong_then_right_passphrase(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, unlock=False, passphrase=None)
    window.start()
    qtbot.waitUntil(
        lambda: window.findChild(UnlockDialog, "unlockDialog") is not None, timeout=10_000
    )
    dialog = window.findChild(UnlockDialog, "unlockDialog")
    qtbot.waitUntil(dialog.isVisible)
    dialog.passphrase.setText("not the passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: dialog.error.isVisible() and "Unlocking" not in dialog.error.text(), timeout=10_000
    )
    assert dialog.isVisible() and window.locked
    assert dialog.passphrase.text() == ""
    dialog.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert not dialog.isVisible() and not window.locked


def test_first_run_creates_a_vault(qtbot, make_window, tmp_path):
    root = tmp_path / "new"
    window = make_window(root, unlock=False, passphrase=None)
    window.start()
    dialog = window.findChild(CreateVaultDialog, "createVaultDialog")
    qtbot.waitUntil(dialog.isVisible)
    dialog.use_keyring.setChecked(False)
    dialog.passphrase.setText("short")
    assert "too short" in dialog.hint.text()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.confirm.setText(PASSPHRASE + "x")
    dialog.buttons.accepted.emit()
    assert "differ" in dialog.error.text()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.confirm.setText(PASSPHRASE)
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        dialog.buttons.accepted.emit()
    assert not window.locked and (root / "vault.keys").exists()


def test_add_through_the_dialog_with_detection_and_reuse_warning(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(TokenDialog, "tokenDialog")
    qtbot.waitUntil(dialog.isVisible)
    dialog.name.setText("NEW_TOKEN")
    dialog.env.setCurrentText("staging")
    dialog.value.setText(VALUES[("GITHUB_TOKEN", "dev")])  # reused from dev
    assert dialog.inputs["provider"].text() == "github"
    assert "Recognised: github" in dialog.detected.text()
    assert dialog.reuse.isVisibleTo(dialog)
    assert "GITHUB_TOKEN (dev)" in dialog.reuse.text()
    dialog.inputs["expires"].setText("not a date")
    assert dialog.error.isVisibleTo(dialog) and "invalid date" in dialog.error.text()
    dialog.inputs["expires"].setText("30d")
    dialog.inputs["tags"].setText("new, test")
    assert not dialog.error.isVisibleTo(dialog)
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    row = window.current_row()
    assert (row.record.name, row.record.env) == ("NEW_TOKEN", "staging")
    assert row.record.provider == "github"
    assert row.record.tags == ("new", "test")
    qtbot.waitUntil(lambda: window.health is not None, timeout=10_000)
    assert window.current_row().reused_in  # shows up as reused now
    assert window.model.rowCount() == len(VALUES) + 1


def test_add_conflict_is_shown_inline(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    dialog = window.add_token()
    dialog.name.setText("GITHUB_TOKEN")
    dialog.env.setCurrentText("dev")
    dialog.value.setText("some-other-value-123456")
    dialog.accept()
    assert dialog.isVisible()
    assert "already exists" in dialog.error.text()


def test_edit_through_the_dialog(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    _select(window, "STRIPE_KEY", "staging")
    dialog = window.edit_selected()
    assert dialog.name.isReadOnly()
    dialog.inputs["scopes"].setText("charges:read")
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        dialog.accept()
    assert window.current_row().record.scopes == ("charges:read",)
    assert window.current_row().record.sources["scopes"] == "user"


def test_detail_panel_shows_constraints_health_and_reuse(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    qtbot.waitUntil(lambda: window.health is not None, timeout=10_000)
    _select(window, "GITHUB_TOKEN", "prod")
    body = window.detail.body.text()
    assert "read:packages" in body and "203.0.113.0/24" in body
    assert "expiring-soon" in body
    assert "Expires" in window.detail.expiry.text() and "3d 0h" in window.detail.expiry.text()
    _select(window, "SHARED_SECRET", "prod")
    body = window.detail.body.text()
    assert "SHARED_SECRET (dev)" in body and "Legacy webhook secret." in body
    for value in VALUES.values():
        assert value not in body


def test_health_view_opens_a_token(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    qtbot.waitUntil(lambda: window.health is not None, timeout=10_000)
    window.env_selector.setCurrentIndex(1)  # dev: the slack token is hidden
    dialog = window.show_health()
    model = dialog.model
    target = None
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        for r in range(model.rowCount(group)):
            index = model.index(r, 0, group)
            if "SLACK_BOT" in index.data():
                target = index
    assert target is not None
    dialog.view.activated.emit(target)
    assert window.current_row().record.name == "SLACK_BOT"


def test_geometry_is_remembered(qtbot, make_window, vault_dir, settings_file):
    window = make_window(vault_dir)
    window.resize(760, 560)
    qtbot.waitUntil(lambda: window.size().width() == 760)
    window.close()
    saved = QSettings(str(settings_file), QSettings.Format.IniFormat)
    assert saved.value("window/geometry")
    second = make_window(vault_dir)
    assert (second.size().width(), second.size().height()) == (760, 560)


def test_ctrl_q_quits_and_clears_clipboard(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, clipboard_delay_ms=60_000)
    _select(window, "GITHUB_TOKEN", "dev")
    assert window.copy_selected()
    qtbot.keyClick(window.table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    assert window.locked
    assert QGuiApplication.clipboard().text() == ""


def test_no_secret_in_titles_tooltips_or_status(make_window, vault_dir):
    window = make_window(vault_dir, clipboard_delay_ms=60_000)
    _select(window, "GITHUB_TOKEN", "dev")
    window.copy_selected()
    texts = [window.windowTitle(), window.statusBar().currentMessage()]
    for widget in window.findChildren(QWidget):
        texts.extend([widget.toolTip(), widget.accessibleName(), widget.windowTitle()])
    blob = "\n".join(texts)
    for value in VALUES.values():
        assert value not in blob
    assert Secret("x").__repr__() not in blob
    window.clipboard.clear_now()
