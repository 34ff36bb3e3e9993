"""Rotation in the window, end to end against the local provider servers (tests/providers): the
confirm and progress dialogs, assisted paste, the History tab with rollback, the notice for a run
that a killed process left behind, and tokens due for rotation. No value may reach a widget."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path

from gui_support import NOW, PASSPHRASE, run_python  # type: ignore[import-not-found]
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))


from vault_app.core.clock import FixedClock
from vault_app.core.model import RecordRef
from vault_app.core.secret import Secret
from vault_app.services.home import VaultHome
from vault_app.services.inputs import TokenFields
from vault_app.services.vault import Vault

LONG = 20_000





def _open(root: Path, clock: FixedClock | None = None) -> Vault:
    return Vault.open(
        VaultHome(root),
        lambda: Secret(PASSPHRASE),
        clock=clock or FixedClock(NOW),
        use_keyring=False,
    )


def add(root: Path, name: str, env: str, value: str, *, at=NOW, **fields: object) -> None:  # type: ignore[no-untyped-def]
    options = tuple((k, str(v)) for k, v in dict(fields.pop("options", {})).items())  # type: ignore[call-overload]
    with _open(root, FixedClock(at)) as vault:
        vault.add(name, env, Secret(value), TokenFields(provider_options=options, **fields))  # type: ignore[arg-type]


def current_value(window, name: str, env: str) -> str:  # type: ignore[no-untyped-def]
    window.background.wait_idle()
    vault = window.vault
    return vault.reveal(vault.resolve(name, env)).reveal()


def texts(widgets: Iterable[QWidget]) -> Iterator[str]:
    """Every piece of text a widget shows or tells (titles, tooltips, items, accessible names)."""
    for w in widgets:
        yield from (w.windowTitle(), w.toolTip(), w.accessibleName(), w.accessibleDescription())
        if isinstance(w, QLabel | QAbstractButton | QMessageBox):
            yield w.text()
        if isinstance(w, QLineEdit) and w.objectName() != "assistValue":
            yield w.text()
            yield w.placeholderText()
        if isinstance(w, QPlainTextEdit):
            yield w.toPlainText()
        if isinstance(w, QListWidget):
            yield from (w.item(i).text() for i in range(w.count()))
        if isinstance(w, QTreeWidget):
            stack: list[QTreeWidgetItem] = [w.topLevelItem(i) for i in range(w.topLevelItemCount())]
            while stack:
                item = stack.pop()
                for col in range(w.columnCount()):
                    yield item.text(col)
                    yield item.toolTip(col)
                stack.extend(item.child(i) for i in range(item.childCount()))


def assert_no_values(*values: str) -> None:
    shown = "\n".join(texts(QApplication.allWidgets()))
    for value in values:
        assert value not in shown, "a token value reached a widget"
    for w in QApplication.allWidgets():
        if isinstance(w, QLineEdit) and w.objectName() == "assistValue":
            assert w.echoMode() == QLineEdit.EchoMode.Password


def confirm_rotation(window, qtbot, ref: RecordRef, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    assert window.select(ref)
    window.rotate_action.trigger()
    qtbot.waitUntil(lambda: window.rotation.confirm_dialog is not None, timeout=LONG)
    confirm = window.rotation.confirm_dialog
    confirm.dry_run.setChecked(dry_run)
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    dialog = window.rotation.progress_dialog
    assert dialog is not None and dialog.isModal()
    return confirm, dialog


def wait_done(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(dialog.close_button.isEnabled, timeout=LONG)


def states(dialog) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {step: row.state for step, row in dialog.rows.items()}


def show_history(window, qtbot, expected: list[str]):  # type: ignore[no-untyped-def]
    window.detail.tabs.setCurrentWidget(window.detail.history)
    view = window.detail.history
    qtbot.waitUntil(lambda: view.history is not None and view.labels() == expected, timeout=LONG)
    return view


def test_steps_match_the_engine():
    from vault_app.gui.rotation_dialog import STEPS
    from vault_app.services.rotation import STEPS as ENGINE_STEPS

    assert STEPS == ENGINE_STEPS


def test_gitlab_rotation_through_the_dialog(make_window, vault_dir, qtbot, gitlab):
    old = gitlab.issue()
    add(vault_dir, "ci", "prod", old, options={"adapter": "gitlab", "url": gitlab.url})
    window = make_window(vault_dir)
    assert window.rotate_action.shortcut().toString() == "Ctrl+R"
    assert window.rotate_action in window.menuBar().actions()[1].menu().actions()
    assert window.detail.rotate_button.isVisible()

    confirm, dialog = confirm_rotation(window, qtbot, RecordRef("ci", "prod"))
    assert "gitlab" in confirm.question.text()
    assert "revokes the old value" in confirm.notes.text()
    assert window.background.busy or not dialog.running
    assert not dialog.cancel_button.isEnabled() and "staged" in dialog.cancel_button.toolTip()
    wait_done(qtbot, dialog)
    assert dialog.state == "done"
    assert states(dialog) == {
        "check": "done",
        "create": "done",
        "apply": "done",
        "test": "done",
        "finish": "done",
        "revoke": "skipped",
    }
    assert "Rotated" in dialog.result_label.text()
    new = current_value(window, "ci", "prod")
    assert new != old and [t.value for t in gitlab.tokens if not t.revoked] == [new]
    view = show_history(window, qtbot, ["current", "previous"])
    assert view.runs.topLevelItemCount() == 1
    assert view.runs.topLevelItem(0).childCount() >= 5
    assert view.rollback_button.isEnabled()
    assert_no_values(old, new)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    # GitLab revoked the old token: rollback is refused through the app's one error dialog.
    qtbot.mouseClick(view.rollback_button, Qt.MouseButton.LeftButton)
    box = window.rotation.rollback_box
    assert box is not None and "previous version" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorDialog") is not None, timeout=LONG)
    error = window.findChild(QMessageBox, "errorDialog")
    assert "no longer works" in error.text() and "nothing was changed" in error.text()
    assert current_value(window, "ci", "prod") == new
    assert_no_values(old, new)


def test_failed_test_step_shows_the_failure_and_keeps_current(make_window, vault_dir, qtbot, hcv):
    old = hcv.issue()
    add(
        vault_dir,
        "deploy",
        "prod",
        old,
        options={"adapter": "vault", "url": hcv.url},
        scopes=("deploy", "admin"),
    )
    window = make_window(vault_dir)
    _confirm, dialog = confirm_rotation(window, qtbot, RecordRef("deploy", "prod"))
    wait_done(qtbot, dialog)
    assert dialog.state == "failed"
    rows = states(dialog)
    assert rows["check"] == rows["create"] == rows["apply"] == "done"
    assert rows["test"] == "failed" and rows["finish"] == "pending"
    assert "admin" in dialog.rows["test"].detail.text()
    assert "unchanged" in dialog.result_label.text()
    assert current_value(window, "deploy", "prod") == old and hcv.active(old)
    assert len(hcv.tokens) == 1, "the new value that failed its test was revoked"
    view = show_history(window, qtbot, ["current"])
    assert not view.rollback_button.isEnabled()
    assert_no_values(old)


def test_dry_run_changes_nothing(make_window, vault_dir, qtbot, gitlab):
    old = gitlab.issue()
    add(vault_dir, "ci", "prod", old, options={"adapter": "gitlab", "url": gitlab.url})
    window = make_window(vault_dir)
    _confirm, dialog = confirm_rotation(window, qtbot, RecordRef("ci", "prod"), dry_run=True)
    wait_done(qtbot, dialog)
    assert dialog.state == "dry-run"
    assert set(states(dialog).values()) <= {"planned", "skipped"}
    assert "nothing was changed" in dialog.result_label.text()
    assert not any(path.endswith("/rotate") for _m, path in gitlab.calls)
    assert current_value(window, "ci", "prod") == old


def test_assisted_rotation_paste_and_rollback(make_window, vault_dir, qtbot, github, monkeypatch):
    old, new = github.issue(), github.issue()
    options = {"adapter": "github", "url": github.url, "web_url": "https://github.example"}
    add(vault_dir, "gh", "dev", old, options=options)
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True)
    )
    window = make_window(vault_dir)
    ref = RecordRef("gh", "dev")

    # Cancel at the paste dialog: nothing changes.
    _c, dialog = confirm_rotation(window, qtbot, ref)
    qtbot.waitUntil(lambda: window.rotation.assist_dialog is not None, timeout=LONG)
    window.rotation.assist_dialog.reject()
    wait_done(qtbot, dialog)
    assert dialog.state == "failed" and "no new value" in dialog.result_label.text()
    assert current_value(window, "gh", "dev") == old
    dialog.accept()

    # Open the settings page, paste the new value.
    confirm, dialog = confirm_rotation(window, qtbot, ref)
    assert "assisted" in confirm.notes.text()
    qtbot.waitUntil(lambda: window.rotation.assist_dialog is not None, timeout=LONG)
    assist = window.rotation.assist_dialog
    assert "https://github.example/settings/tokens" in assist.instructions.text()
    qtbot.mouseClick(assist.open_button, Qt.MouseButton.LeftButton)
    assert opened == ["https://github.example/settings/tokens"]
    assert not assist.ok_button.isEnabled()
    qtbot.keyClicks(assist.value, new)
    assert assist.value.echoMode() == QLineEdit.EchoMode.Password
    assert_no_values(old, new)  # the paste field excepted: it echoes dots
    qtbot.mouseClick(assist.ok_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, dialog)
    assert dialog.state == "done", dialog.result_label.text()
    assert "delete the old token" in dialog.warnings.text()
    assert current_value(window, "gh", "dev") == new
    dialog.accept()
    view = show_history(window, qtbot, ["current", "previous"])
    assert_no_values(old, new)

    # GitHub left the old token working: rollback makes it current again.
    qtbot.mouseClick(view.rollback_button, Qt.MouseButton.LeftButton)
    window.rotation.rollback_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "current again" in window.statusBar().currentMessage(), timeout=LONG)
    assert current_value(window, "gh", "dev") == old
    show_history(window, qtbot, ["current", "previous"])
    assert_no_values(old, new)


CRASH = r"""
import sys
from vault_app.core.clock import FixedClock
from vault_app.core.secret import Secret
from vault_app.services.home import VaultHome
from vault_app.services.rotation import Rotation
from vault_app.services.vault import Vault
from datetime import datetime
from pathlib import Path
root, passphrase, now, name, env = sys.argv[1:6]
with Vault.open(VaultHome(Path(root)), lambda: Secret(passphrase), use_keyring=False,
                clock=FixedClock(datetime.fromisoformat(now))) as vault:
    with Rotation(vault) as rotation:
        rotation.rotate(name, env)
print("NOT KILLED")
"""


def crash(root: Path, name: str, env: str, point: str) -> None:
    code = CRASH.replace("sys.argv[1:6]", repr([str(root), PASSPHRASE, NOW.isoformat(), name, env]))
    proc = run_python(code, {**os.environ, "VAULT_APP_CRASH_AT": point})
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr


def test_interrupted_run_notice_after_unlock_resumes(make_window, vault_dir, qtbot, gitlab):
    old = gitlab.issue()
    add(vault_dir, "ci", "prod", old, options={"adapter": "gitlab", "url": gitlab.url})
    crash(vault_dir, "ci", "prod", "after-applied")
    window = make_window(vault_dir)
    notice = window.rotation_notice
    qtbot.waitUntil(notice.isVisible, timeout=LONG)
    text = notice.findChild(QLabel, "rotationNoticeText").text()
    assert "ci (prod)" in text and "interrupted" in text and "applied" in text
    assert not window.background.busy, "the notice does not keep the window busy"

    qtbot.mouseClick(notice.findChild(QAbstractButton, "noticeResume"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.rotation.confirm_dialog is not None, timeout=LONG)
    confirm = window.rotation.confirm_dialog
    assert confirm.ok_button.text().replace("&", "") == "Resume"
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    dialog = window.rotation.progress_dialog
    wait_done(qtbot, dialog)
    assert dialog.state == "done", dialog.result_label.text()
    assert "interruption" in dialog.rows["create"].detail.text()
    assert states(dialog)["test"] == states(dialog)["finish"] == "done"
    new = current_value(window, "ci", "prod")
    assert [t.value for t in gitlab.tokens if not t.revoked] == [new]
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=LONG)
    assert_no_values(old, new)


def test_interrupted_run_notice_rolls_back(make_window, vault_dir, qtbot, hcv):
    old = hcv.issue()
    add(vault_dir, "deploy", "prod", old, options={"adapter": "vault", "url": hcv.url})
    crash(vault_dir, "deploy", "prod", "after-applied")
    assert len(hcv.tokens) == 2
    window = make_window(vault_dir)
    notice = window.rotation_notice
    qtbot.waitUntil(notice.isVisible, timeout=LONG)
    qtbot.mouseClick(notice.findChild(QAbstractButton, "noticeRollback"), Qt.MouseButton.LeftButton)
    box = window.rotation.rollback_box
    assert "Abandon" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=LONG)
    assert "abandoned" in window.statusBar().currentMessage()
    assert current_value(window, "deploy", "prod") == old
    assert list(hcv.tokens) == [old], "the abandoned new value was revoked"


def test_due_tokens_are_offered_and_rotated_only_when_asked(make_window, vault_dir, qtbot, gitlab):
    old = gitlab.issue()
    add(
        vault_dir,
        "ci",
        "prod",
        old,
        at=NOW - timedelta(days=40),
        options={"adapter": "gitlab", "url": gitlab.url},
        rotate_every_days=30,
    )
    window = make_window(vault_dir)
    notice = window.rotation_notice
    qtbot.waitUntil(notice.isVisible, timeout=LONG)
    assert "1 token is due" in notice.findChild(QLabel, "rotationNoticeDue").text()
    qtbot.mouseClick(
        notice.findChild(QAbstractButton, "noticeReviewDue"), Qt.MouseButton.LeftButton
    )
    due = window.rotation.due_dialog
    assert due is not None and due.chosen() == [RecordRef("ci", "prod")]
    assert not any(path.endswith("/rotate") for _m, path in gitlab.calls), "asked first"
    qtbot.mouseClick(due.rotate_button, Qt.MouseButton.LeftButton)
    dialog = window.rotation.progress_dialog
    wait_done(qtbot, dialog)
    assert dialog.state == "done"
    assert current_value(window, "ci", "prod") != old
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=LONG)


def test_lock_answers_an_open_paste_question(make_window, vault_dir, qtbot, github):
    old = github.issue()
    add(vault_dir, "gh", "dev", old, options={"adapter": "github", "url": github.url})
    window = make_window(vault_dir)
    _c, dialog = confirm_rotation(window, qtbot, RecordRef("gh", "dev"))
    qtbot.waitUntil(lambda: window.rotation.assist_dialog is not None, timeout=LONG)
    window.lock("test")
    wait_done(qtbot, dialog)
    assert dialog.state == "failed"
    assert window.background.wait_idle()
    assert window.vault is None
