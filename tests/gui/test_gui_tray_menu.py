"""The tray's menu, icon state and tooltip, the close-to-tray behaviour, and opening the window
on a token (what a notification click does). Offscreen: the controller is built even where the
platform shows no tray."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gui_support import NOW, VALUES  # type: ignore[import-not-found]
from PySide6.QtGui import QGuiApplication

from vault_app.core.clock import FixedClock
from vault_app.core.model import RecordRef, TokenId
from vault_app.core.reminders import ScheduleEntry
from vault_app.gui.app import assemble
from vault_app.gui.tray import EXPIRED, EXPIRING, LOCKED, OK, next_state_change, tray_state


def _entry(name: str, expires: datetime | None) -> ScheduleEntry:
    return ScheduleEntry(TokenId(name), name, "dev", 1, expires, None, ())


def test_state_order_and_next_change():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    week = timedelta(days=7)
    later = _entry("LATER", now + timedelta(days=30))
    soon = _entry("SOON", now + timedelta(days=2))
    gone = _entry("GONE", now - timedelta(minutes=1))
    assert tray_state([later], False, now, week)[0] == OK
    assert tray_state([later], True, now, week)[0] == LOCKED
    assert tray_state([later, soon], True, now, week) == (EXPIRING, 0, 1)
    assert tray_state([soon, gone], False, now, week) == (EXPIRED, 1, 1)
    assert next_state_change([later, soon], now, week) == now + timedelta(days=2)
    assert next_state_change([later], now, week) == now + timedelta(days=23)


def _menu_texts(desktop) -> list[str]:  # type: ignore[no-untyped-def]
    desktop.tray.rebuild_menu()
    texts = []
    for action in desktop.tray.menu.actions():
        texts.append(action.text())
        if action.menu() is not None:
            texts += [a.text() for a in action.menu().actions()]
    return texts


def test_quick_copy_pinned_and_recent_per_environment(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, clipboard_delay_ms=10_000)
    desktop = assemble(window, use_tray=True, watch_resume=False)
    assert window.select(RecordRef("GITHUB_TOKEN", "dev"))
    window.toggle_pin()
    assert window.pin_action.isChecked()
    assert window.select(RecordRef("STRIPE_KEY", "prod"))
    assert window.copy_selected()  # now "recent"
    texts = _menu_texts(desktop)
    assert "Copy GITHUB_TOKEN (dev)" in texts and "Copy STRIPE_KEY (prod)" in texts
    # Quick copy goes through the window's copy path: clipboard guard, audit, recent list.
    action = desktop.tray.actions()["Copy GITHUB_TOKEN (dev)"]
    action.trigger()
    assert QGuiApplication.clipboard().text() == VALUES[("GITHUB_TOKEN", "dev")]
    assert window.clipboard.active
    window.clipboard.clear_now()
    # The active environment narrows the lists.
    window.choose_environment(window.environments().index("prod"))
    texts = _menu_texts(desktop)
    assert "Copy STRIPE_KEY (prod)" in texts and "Copy GITHUB_TOKEN (dev)" not in texts
    assert "Environment: prod" in " ".join(texts)
    # No value anywhere in the menu or the tooltip.
    shown = " ".join(texts) + desktop.tray.icon.toolTip()
    assert not any(value in shown for value in VALUES.values())


def test_locked_menu_and_tooltip(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, unlock=False)
    desktop = assemble(window, use_tray=True, watch_resume=False)
    tip = desktop.tray.icon.toolTip()
    assert "Not unlocked since the app started" in tip
    assert desktop.tray.state == LOCKED
    texts = _menu_texts(desktop)
    assert "&Unlock…" in texts and "&Lock" not in texts
    with (
        qtbot.waitSignal(desktop.scheduler.changed, timeout=10_000),
        qtbot.waitSignal(window.rows_shown, timeout=10_000),
    ):
        window.start()
    # SLACK_BOT (qa) expired two days before NOW in the sample vault.
    assert desktop.tray.state == EXPIRED
    assert "1 token expired" in desktop.tray.icon.toolTip()
    window.lock("test")
    desktop.tray.update()
    assert "Expiry reminders continue" in desktop.tray.icon.toolTip()
    assert desktop.tray.state == EXPIRED  # still known while locked


def test_closing_hides_to_the_tray_and_quit_quits(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    desktop = assemble(window, use_tray=True, watch_resume=False)
    assert window.close_to_tray
    window.close()
    assert not window.isVisible()
    assert window.vault is not None  # still running, still unlocked (idle lock still applies)
    desktop.tray.toggle_window()
    assert window.isVisible()
    with qtbot.waitSignal(window.closed, timeout=5000):
        window.quit_app()
    assert window.vault is None


def test_notification_click_opens_the_window_on_the_token(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, unlock=False, clock=FixedClock(NOW))
    desktop = assemble(window, use_tray=False, watch_resume=False)
    window.hide()
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        desktop.notifier.open_requested.emit(RecordRef("STRIPE_KEY", "staging"))
    assert window.isVisible()
    row = window.current_row()
    assert row is not None and row.ref == RecordRef("STRIPE_KEY", "staging")
