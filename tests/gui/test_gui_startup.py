"""What the first sight of the table waits for, and what it does not: rows first, then health
(worked out on the worker thread once the rows have painted), and input watching for the idle
lock from the first unlock on, whether the window is on screen or not."""

from __future__ import annotations

from gui_support import VALUES  # type: ignore[import-not-found]
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from vault_app.gui.table_model import Column


def test_rows_show_before_health_and_marks_follow(qtbot, make_window, vault_dir):
    window = make_window(vault_dir, unlock=False)
    marks_when_shown = []
    window.rows_shown.connect(
        lambda _n: marks_when_shown.append(
            [window.model.index(r, Column.HEALTH).data() for r in range(window.model.rowCount())]
        )
    )
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        window.start()
    assert window.health is None  # not yet: the table did not wait for it
    assert marks_when_shown == [[""] * len(VALUES)]
    qtbot.waitUntil(lambda: window.health is not None, timeout=10_000)
    assert window.health_action.isEnabled()
    marks = [window.model.index(r, Column.HEALTH).data() for r in range(window.model.rowCount())]
    assert any(marks)  # the sample vault has findings (reuse across environments, at least)


def test_hidden_window_gets_health_and_input_watching(qtbot, make_window, vault_dir):
    """A start into the tray never paints the table: nothing may wait for that paint."""
    window = make_window(vault_dir, unlock=False, idle_ms=60_000)
    window.hide()
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        window.start()
    qtbot.waitUntil(lambda: window.health is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window._watching_input, timeout=2_000)
    timer = window.idle.timer
    timer.start(5_000)  # pretend time has passed; input must restart the full interval
    QApplication.sendEvent(window.search, _key_press())
    assert timer.interval() == 60_000


def test_health_of_old_rows_is_dropped_after_a_reload(qtbot, make_window, vault_dir):
    window = make_window(vault_dir)
    qtbot.waitUntil(lambda: window.health is not None, timeout=10_000)
    base = window.model.base_rows()
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        window.reload()
    assert not window.model.set_marked_rows(base, list(base))  # those rows are gone
    qtbot.waitUntil(lambda: window.health is not None, timeout=10_000)


def _key_press():  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QKeyEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
