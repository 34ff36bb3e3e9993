"""The main window: environment switcher, search, token table, detail panel, status bar.

Holds the unlocked :class:`Vault` (or none when locked) and is the only place that calls it.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from vault_app.core.clock import Clock, SystemClock
from vault_app.core.errors import NoUnlockSourceError, VaultError
from vault_app.core.health import HealthReport
from vault_app.core.model import RecordRef
from vault_app.core.secret import Secret
from vault_app.gui import colours
from vault_app.gui.background import Background
from vault_app.gui.clipboard_guard import ClipboardGuard
from vault_app.gui.detail_panel import DetailPanel
from vault_app.gui.errors import show_error, user_message
from vault_app.gui.icons import app_icon, icon
from vault_app.gui.locking import IdleWatcher, ScreenLockWatcher
from vault_app.gui.rotation_flow import RotationFlow
from vault_app.gui.rotation_notice import RotationNotice
from vault_app.gui.rows import Row, environment_choices
from vault_app.gui.settings import PINNED, Preferences, forget, load_refs, push_recent, set_pinned
from vault_app.gui.snapshot import Health, Snapshot, assess_rows, take_snapshot
from vault_app.gui.table_model import Column, TokenFilterProxy, TokenTableModel
from vault_app.gui.table_view import TokenTable
from vault_app.gui.unlock_dialogs import CreateVaultDialog, UnlockDialog
from vault_app.services.home import VaultHome
from vault_app.services.vault import Vault

if TYPE_CHECKING:  # imported when first opened (token detection, the health dialog's model)
    from vault_app.gui.other_dialogs import HealthDialog, SettingsDialog
    from vault_app.gui.token_dialog import TokenDialog, TokenRequest

log = logging.getLogger(__name__)
PASSPHRASE_ENV = "VAULT_APP_PASSPHRASE"
ALL = "All"


@dataclass
class Options:
    """What tests and the benchmark inject; the app uses the defaults."""

    clock: Clock = field(default_factory=SystemClock)
    #: overrides the clipboard delay from the settings (milliseconds)
    clipboard_delay_ms: int | None = None
    #: the idle timer (a test drives it); its interval comes from the settings unless overridden
    idle_timer: QTimer | None = None
    idle_ms: int | None = None
    use_keyring: bool = True
    watch_screen_lock: bool = True
    #: where the passphrase for a silent unlock comes from (default: VAULT_APP_PASSPHRASE)
    passphrase_env: Callable[[], str | None] = field(
        default=lambda: os.environ.get(PASSPHRASE_ENV) or None
    )


class MainWindow(QMainWindow):
    #: emitted with the row count each time rows are shown (the benchmark waits for it)
    rows_shown = Signal(int)
    #: emitted when the health report for the rows shown is ready
    health_ready = Signal(object)
    locked_changed = Signal(bool)
    #: rows of an open vault were (re)loaded: after an unlock and after each change
    vault_loaded = Signal()
    #: a token's value went to the clipboard (RecordRef): the tray's "recent" list
    copied = Signal(object)
    #: the window really closed (quit), not only hidden to the tray
    closed = Signal()

    def __init__(
        self,
        home: VaultHome,
        settings: QSettings,
        options: Options | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.home = home
        self.settings = settings
        self.options = options or Options()
        self.prefs = Preferences.load(settings)
        self.vault: Vault | None = None
        self.snapshot: Snapshot | None = None
        self.health: Health | None = None
        self._unlock_dialog: UnlockDialog | None = None
        self._unlocking = False
        #: closing hides the window instead of quitting (set by the tray when there is one)
        self.close_to_tray = False
        self._quitting = False
        #: a token to show once the vault is open (a notification was clicked while locked)
        self._pending_select: RecordRef | None = None
        self.setObjectName("mainWindow")
        self.setWindowTitle("Vault App")
        self.setWindowIcon(app_icon())
        self.setAccessibleName("Vault App")

        self.background = Background(self)
        self.background.busy_changed.connect(self._busy_changed)
        self.rotation = RotationFlow(self)
        self.rotation.changed.connect(lambda ref: self.reload(select=ref))
        self.model = TokenTableModel(self._now(), self.prefs.expiring_seconds, self)
        self.proxy = TokenFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self._build_status_bar()
        self._build_actions()
        self._build_toolbar()
        self._build_pages()

        clipboard = QGuiApplication.clipboard()
        self.clipboard = ClipboardGuard(clipboard, self._clipboard_delay_ms(), self)
        self.clipboard.countdown.connect(self._clipboard_countdown)
        self.clipboard.finished.connect(self._clipboard_finished)

        self.idle = IdleWatcher(0, self.options.idle_timer, self)
        self.idle.idle.connect(lambda: self.lock("idle"))
        # Installed on the first unlock (see _watch_input), not here: an app-wide Python event
        # filter makes PySide build the Python type of every object and event it is handed
        # (~25 ms of enum set-up while the window is built), and idle only counts when unlocked.
        self._watching_input = False
        self.screen_lock: ScreenLockWatcher | None = None
        if self.options.watch_screen_lock:
            self.screen_lock = ScreenLockWatcher(self)
            self.screen_lock.locked.connect(lambda: self.lock("screen locked"))

        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.tick)
        self._restore_geometry()
        self._show_locked("Locked")

    # -- building ------------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: str | None = None,
        icon_name: str = "",
    ) -> QAction:
        action = QAction(icon(icon_name) if icon_name else QAction().icon(), text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.add_action = self._action("&Add token…", self.add_token, "Ctrl+N", "action-add")
        self.add_action.setToolTip("Add a token (Ctrl+N)")
        self.lock_action = self._action(
            "&Lock", lambda: self.lock("Ctrl+L"), "Ctrl+L", "action-lock"
        )
        self.lock_action.setToolTip("Lock the vault (Ctrl+L)")
        self.quit_action = self._action("&Quit", self.quit_app, "Ctrl+Q")
        self.find_action = self._action("&Find", self.focus_search, "Ctrl+F")
        self.health_action = self._action("&Health…", self.show_health, None, "action-health")
        self.health_action.setToolTip("All health findings")
        self.settings_action = self._action(
            "&Settings…", self.show_settings, None, "action-settings"
        )
        self.copy_action = QAction(icon("action-copy"), "&Copy value\tCtrl+C", self)
        self.copy_action.triggered.connect(self.copy_selected)
        self.edit_action = self._action("&Edit…", self.edit_selected)
        self.remove_action = self._action("&Remove…", self.remove_selected)
        self.rotate_action = self._action("R&otate…", self.rotation.rotate_selected, "Ctrl+R")
        self.rotate_action.setToolTip("Rotate the token through its provider (Ctrl+R)")
        self.pin_action = self._action("&Pin to the tray menu", self.toggle_pin)
        self.pin_action.setCheckable(True)
        self.pin_action.setToolTip("Quick copy from the tray icon's menu")
        self.env_actions = []
        for digit in range(10):
            action = self._action(
                f"Environment {digit}", partial(self.choose_environment, digit), f"Ctrl+{digit}"
            )
            self.env_actions.append(action)
        menu = self.menuBar()
        vault_menu = menu.addMenu("&Vault")
        for a in (self.add_action, self.health_action, self.settings_action):
            vault_menu.addAction(a)
        vault_menu.addSeparator()
        vault_menu.addAction(self.lock_action)
        vault_menu.addAction(self.quit_action)
        token_menu = menu.addMenu("&Token")
        for a in (
            self.copy_action,
            self.edit_action,
            self.rotate_action,
            self.remove_action,
            self.pin_action,
        ):
            token_menu.addAction(a)
        token_menu.addSeparator()
        token_menu.addAction(self.find_action)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(bar)
        env_label = QLabel(" Environment: ")
        bar.addWidget(env_label)
        self.env_selector = QComboBox()
        self.env_selector.setObjectName("environmentSelector")
        self.env_selector.setAccessibleName("Environment")
        self.env_selector.setToolTip("Environment (Ctrl+0 for All, Ctrl+1…Ctrl+9)")
        self.env_selector.setMinimumContentsLength(10)
        self.env_selector.currentIndexChanged.connect(self._environment_changed)
        env_label.setBuddy(self.env_selector)
        bar.addWidget(self.env_selector)
        bar.addSeparator()
        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        self.search.setAccessibleName("Search tokens")
        self.search.setPlaceholderText("Search name, provider, tag, scope, environment (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.textChanged.connect(self.proxy.set_search)
        self.search.textChanged.connect(lambda _t: self._update_count())
        self.search.installEventFilter(self)
        bar.addWidget(self.search)
        bar.addSeparator()
        for a in (self.add_action, self.health_action, self.settings_action, self.lock_action):
            bar.addAction(a)
        self._fill_environments([])

    def _build_pages(self) -> None:
        self.pages = QStackedWidget()
        # Locked page
        locked = QWidget()
        locked.setObjectName("lockedPage")
        lay = QVBoxLayout(locked)
        lay.addStretch(1)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(logo)
        self.locked_label = QLabel("The vault is locked.")
        self.locked_label.setObjectName("lockedLabel")
        self.locked_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.locked_label.setWordWrap(True)
        lay.addWidget(self.locked_label)
        self.unlock_button = QPushButton(icon("action-lock"), "&Unlock…")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setAccessibleName("Unlock the vault")
        self.unlock_button.clicked.connect(self.start)
        lay.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignCenter)
        lay.addStretch(2)
        self.pages.addWidget(locked)
        # Unlocked page
        self.table = TokenTable()
        self.table.setModel(self.proxy)
        self.table.set_default_widths()
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.table.copy_requested.connect(self.copy_selected)
        self.table.copy_delegate.clicked.connect(self._copy_clicked)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.addAction(self.copy_action)
        self.detail = DetailPanel()
        self.detail.copy_requested.connect(self.copy_selected)
        self.detail.edit_requested.connect(self.edit_selected)
        self.detail.remove_requested.connect(self.remove_selected)
        self.detail.rotate_requested.connect(self.rotation.rotate_selected)
        self.detail.rollback_requested.connect(self.rotation.rollback_selected)
        self.detail.history_wanted.connect(self.rotation.load_history)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.pages.addWidget(self._build_unlocked_page())
        self.setCentralWidget(self.pages)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

    def _build_unlocked_page(self) -> QWidget:
        # Interrupted rotations and tokens due for rotation: a bar above the table, not a dialog.
        self.rotation_notice = RotationNotice()
        self.rotation_notice.resume_requested.connect(self.rotation.rotate)
        self.rotation_notice.rollback_requested.connect(
            lambda ref: self.rotation.rollback(ref, interrupted=True)
        )
        self.rotation_notice.review_due_requested.connect(self.rotation.review_due)
        self.unlocked_page = QWidget()
        self.unlocked_page.setObjectName("unlockedPage")
        unlocked = QVBoxLayout(self.unlocked_page)
        unlocked.setContentsMargins(0, 0, 0, 0)
        unlocked.setSpacing(4)
        unlocked.addWidget(self.rotation_notice)
        unlocked.addWidget(self.splitter, 1)
        return self.unlocked_page

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("statusBar")
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.clipboard_label = QLabel()
        self.clipboard_label.setObjectName("clipboardLabel")
        self.clipboard_label.setAccessibleName("Clipboard")
        status.addPermanentWidget(self.clipboard_label)
        status.addPermanentWidget(self.count_label)

    # -- geometry ------------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([880, 400])
        header = self.settings.value("window/header")
        if isinstance(header, QByteArray) and not header.isEmpty():
            self.table.horizontalHeader().restoreState(header)

    def save_geometry(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/header", self.table.horizontalHeader().saveState())
        self.settings.sync()

    # -- time ----------------------------------------------------------------------------------
    def _now(self) -> int:
        return int(self.options.clock.now().timestamp())

    def tick(self) -> None:
        """Once a second: the countdowns of the rows on screen, and the detail panel's."""
        now = self._now()
        proxy = self.proxy
        source_rows = [
            proxy.mapToSource(proxy.index(r, 0)).row() for r in self.table.visible_rows()
        ]
        self.model.tick(now, source_rows)
        self.detail.tick(now)

    # -- unlocking -----------------------------------------------------------------------------
    def start(self, interactive: bool = True) -> None:
        """Create the vault on first run; otherwise unlock (keyring, then the variable, then ask).

        ``interactive=False`` (a start into the tray) never opens a dialog: without a keyring
        or the variable, the vault stays locked until the user unlocks it.
        """
        if self.vault is not None or self._unlocking:
            return
        if not interactive and not self.home.exists():
            return
        self._unlocking = True
        if not self.home.exists():
            self._ask_create()
            return
        asked: list[bool] = []
        from_env = self.options.passphrase_env()

        def ask() -> Secret | None:
            asked.append(True)
            return Secret(from_env) if from_env else None

        home, clock, keyring = self.home, self.options.clock, self.options.use_keyring
        self.locked_label.setText("Unlocking…")

        def work() -> tuple[Vault, Snapshot]:
            return _open_and_load(lambda: Vault.open(home, ask, clock=clock, use_keyring=keyring))

        def failed(exc: BaseException) -> None:
            self._unlocking = False
            if isinstance(exc, NoUnlockSourceError) and asked and not from_env:
                if not interactive:
                    self._show_locked("Unlock to see your tokens.")
                    return
                self._unlocking = True
                self.locked_label.setText("The vault is locked.")
                self._ask_passphrase()
                return
            self._show_locked("The vault could not be unlocked.")
            self.fail(exc)

        self.background.run(work, self._unlocked, failed)

    def _ask_passphrase(self) -> None:
        dialog = UnlockDialog(str(self.home.root), self)
        self._unlock_dialog = dialog
        home, clock = self.home, self.options.clock

        def submitted(secret: Secret) -> None:
            def work() -> tuple[Vault, Snapshot]:
                return _open_and_load(
                    lambda: Vault.open(home, lambda: secret, clock=clock, use_keyring=False)
                )

            def done(result: tuple[Vault, Snapshot]) -> None:
                dialog.succeeded()
                self._unlocked(result)

            self.background.run(work, done, lambda exc: dialog.failed(user_message(exc)))

        def finished(_result: int) -> None:
            self._unlock_dialog = None
            self._unlocking = False

        dialog.submitted.connect(submitted)
        dialog.finished.connect(finished)
        dialog.open()

    def _ask_create(self) -> None:
        dialog = CreateVaultDialog(str(self.home.root), self)
        home, clock = self.home, self.options.clock

        def submitted(secret: Secret | None, use_keyring: bool) -> None:
            def work() -> tuple[Vault, Snapshot]:
                return _open_and_load(
                    lambda: Vault.create(
                        home, passphrase_value=secret, use_keyring=use_keyring, clock=clock
                    )
                )

            def done(result: tuple[Vault, Snapshot]) -> None:
                dialog.succeeded()
                self._unlocked(result)

            self.background.run(work, done, lambda exc: dialog.failed(user_message(exc)))

        dialog.submitted.connect(submitted)
        dialog.finished.connect(lambda _r: setattr(self, "_unlocking", False))
        dialog.open()

    def _unlocked(self, result: tuple[Vault, Snapshot]) -> None:
        vault, snapshot = result
        self._unlocking = False
        self.vault = vault
        self.pages.setCurrentWidget(self.unlocked_page)
        select, self._pending_select = self._pending_select, None
        self._apply_snapshot(snapshot, select)
        self.idle.set_interval(self._idle_ms())
        self.table.after_next_paint(self._watch_input)
        self.ticker.start()
        self.lock_action.setEnabled(True)
        self.locked_changed.emit(False)
        how = {"keyring": "the keyring", "passphrase": "your passphrase", "init": "a new vault"}
        message = f"Unlocked with {how.get(vault.unlock_method, vault.unlock_method)}."
        if vault.failed_unlocks:
            message += (
                f" Warning: {vault.failed_unlocks} failed unlock attempt(s) since the last unlock."
            )
        self.statusBar().showMessage(message, 8000)
        self.table.setFocus()
        self.rotation.check()

    # -- loading -------------------------------------------------------------------------------
    def reload(self, select: RecordRef | None = None) -> None:
        vault = self.vault
        if vault is None:
            return

        def done(snapshot: Snapshot) -> None:
            if self.vault is vault:
                self._apply_snapshot(snapshot, select)

        self.background.run(lambda: take_snapshot(vault), done, self.fail)

    def _apply_snapshot(self, snapshot: Snapshot, select: RecordRef | None = None) -> None:
        shown = self.current_row()
        current = select or (shown.ref if shown is not None else None)
        self.snapshot = snapshot
        self.health = None
        self.health_action.setEnabled(False)
        self.model.set_rows(snapshot.rows)
        self._fill_environments(snapshot.environments)
        self._update_count()
        if current is not None:
            self.select(current)
        elif self.proxy.rowCount() > 0:
            self.table.setCurrentIndex(self.proxy.index(0, 0))
        else:
            self._current_changed(QModelIndex(), QModelIndex())
        self.rows_shown.emit(len(snapshot.rows))
        # Health and reuse over 10,000 records take ~130 ms: a pure job on the worker thread,
        # started once the rows have painted, so the first sight of the table never waits (nor
        # shares the interpreter lock with the paint).
        self.table.after_next_paint(lambda: self._assess(snapshot))
        self.vault_loaded.emit()

    def _assess(self, snapshot: Snapshot) -> None:
        if self.snapshot is not snapshot:
            return
        base, now = self.model.base_rows(), self.options.clock.now()

        def done(result: tuple[Health, list[Row]]) -> None:
            health, marked = result
            if self.snapshot is snapshot:
                self._apply_health(health, base, marked)

        self.background.run(
            lambda: assess_rows(snapshot.records, snapshot.policy, now, base),
            done,
            self.fail,
            uses_vault=False,
        )

    def _apply_health(self, health: Health, base: Sequence[Row], marked: Sequence[Row]) -> None:
        """The marks worked out on the worker thread go on the rows they were made from."""
        if not self.model.set_marked_rows(base, marked):
            return
        self.health = health
        self.health_action.setEnabled(True)
        index = self.table.currentIndex()
        self._current_changed(index, index)
        self.health_ready.emit(health.report)

    def _fill_environments(self, present: list[str]) -> None:
        previous = self.env_selector.currentData()
        self.env_selector.blockSignals(True)
        self.env_selector.clear()
        self.env_selector.addItem(ALL, None)
        for i, env in enumerate(environment_choices(present), start=1):
            label = f"{env}" + (f"   Ctrl+{i}" if i <= 9 else "")
            self.env_selector.addItem(env, env)
            self.env_selector.setItemData(
                self.env_selector.count() - 1, label, Qt.ItemDataRole.ToolTipRole
            )
            if self._is_prod(env):
                index = self.env_selector.count() - 1
                self.env_selector.setItemData(index, colours.PROD, Qt.ItemDataRole.ForegroundRole)
                self.env_selector.setItemData(
                    index, f"{env} (production)", Qt.ItemDataRole.AccessibleTextRole
                )
        found = self.env_selector.findData(previous) if previous is not None else 0
        self.env_selector.setCurrentIndex(max(found, 0))
        self.env_selector.blockSignals(False)
        self._environment_changed(self.env_selector.currentIndex())

    def _is_prod(self, env: str | None) -> bool:
        prod = self.snapshot.prod_envs if self.snapshot else ("prod",)
        return env in prod

    # -- environment and search ----------------------------------------------------------------
    def environments(self) -> list[str]:
        """What the switcher lists, in order (All first)."""
        return [self.env_selector.itemText(i) for i in range(self.env_selector.count())]

    def choose_environment(self, number: int) -> None:
        if 0 <= number < self.env_selector.count():
            self.env_selector.setCurrentIndex(number)

    def _environment_changed(self, index: int) -> None:
        env = self.env_selector.itemData(index) if index >= 0 else None
        self.proxy.set_environment(env)
        prod = self._is_prod(env)
        self.env_selector.setStyleSheet(
            f"QComboBox {{ color: {colours.PROD.name()}; font-weight: bold; border: 2px solid "
            f"{colours.PROD.name()}; border-radius: 3px; padding: 1px 6px; }}"
            if prod
            else ""
        )
        self._update_count()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            if self.proxy.rowCount() > 0:
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.count_label.setText(
            f"{total} tokens" if shown == total else f"{shown} of {total} tokens shown"
        )

    # -- selection -----------------------------------------------------------------------------
    def current_row(self) -> Row | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.proxy.row(index.row())

    def select(self, ref: RecordRef) -> bool:
        """Select a token, widening the filters when it is hidden by them."""
        source_row = self.model.find(ref.name, ref.env)
        if source_row < 0:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not proxy_index.isValid():
            self.search.clear()
            self.env_selector.setCurrentIndex(0)
            proxy_index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        self.table.setCurrentIndex(proxy_index)
        self.table.scrollTo(proxy_index)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.proxy.row(current.row()) if current.isValid() else None
        self.detail.show_row(row, self._now(), self.prefs.expiring_seconds, self._history(row))
        has = row is not None
        for a in (
            self.copy_action,
            self.edit_action,
            self.rotate_action,
            self.remove_action,
            self.pin_action,
        ):
            a.setEnabled(has)
        self.pin_action.setChecked(has and row is not None and row.ref in self.pinned())

    def _history(self, row: Row | None) -> str:
        if row is None or self.vault is None or self.background.busy:
            return ""
        try:
            mine = self.vault.record_events(row.record, limit=8)
        except VaultError:
            return ""
        if not mine:
            return ""
        lines = [
            f"{e.at:%Y-%m-%d %H:%M} {e.action}" + (f" ({e.detail})" if e.detail else "")
            for e in mine
        ]
        return (
            "<br><small>" + "<br>".join(html.escape(line) for line in reversed(lines)) + "</small>"
        )

    # -- copying -------------------------------------------------------------------------------
    def _copy_clicked(self, proxy_index: QModelIndex) -> None:
        self.table.setCurrentIndex(proxy_index)
        self.copy_selected()

    def copy_selected(self) -> bool:
        return self.copy_row(self.current_row())

    def copy_ref(self, ref: RecordRef) -> bool:
        """Copy a token named by the tray's quick-copy menu, through the same path as the window."""
        source_row = self.model.find(ref.name, ref.env)
        row = self.model.row_at(source_row) if source_row >= 0 else None
        if row is None:
            self.statusBar().showMessage(f"{ref.name} ({ref.env}) is not in the vault.", 4000)
            return False
        return self.copy_row(row)

    def copy_row(self, row: Row | None) -> bool:
        vault = self.vault
        if row is None or vault is None:
            return False
        if self.background.busy:
            self.statusBar().showMessage("Busy, try again in a moment.", 3000)
            return False
        if self.prefs.confirm_prod_copy and row.prod:
            answer = QMessageBox.question(
                self,
                "Copy a production token?",
                f"Copy {row.record.name} from {row.record.env} (production) to the clipboard?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            value = vault.reveal(row.record, "copy")
        except Exception as exc:
            self.fail(exc)
            return False
        self.clipboard.delay_ms = self._clipboard_delay_ms()
        self.clipboard.copy(value.reveal())
        del value
        self.statusBar().showMessage(f"Copied {row.record.name} ({row.record.env}).", 4000)
        push_recent(self.settings, row.ref)
        self.copied.emit(row.ref)
        return True

    # -- the tray's lists ----------------------------------------------------------------------
    def pinned(self) -> list[RecordRef]:
        return load_refs(self.settings, PINNED)

    def toggle_pin(self) -> None:
        row = self.current_row()
        if row is None:
            return
        pin = row.ref not in self.pinned()
        set_pinned(self.settings, row.ref, pin)
        self.pin_action.setChecked(pin)
        verb = "Pinned" if pin else "Unpinned"
        self.statusBar().showMessage(f"{verb} {row.record.name} ({row.record.env}).", 4000)

    def _clipboard_countdown(self, seconds: int) -> None:
        self.clipboard_label.setText(f"Clipboard clears in {seconds} s" if seconds else "")

    def _clipboard_finished(self, cleared: bool) -> None:
        self.statusBar().showMessage(
            "Clipboard cleared." if cleared else "The clipboard changed since; left alone.", 4000
        )

    def _clipboard_delay_ms(self) -> int:
        if self.options.clipboard_delay_ms is not None:
            return self.options.clipboard_delay_ms
        return self.prefs.clipboard_clear_seconds * 1000

    def _idle_ms(self) -> int:
        if self.options.idle_ms is not None:
            return self.options.idle_ms
        return self.prefs.auto_lock_minutes * 60_000

    # -- changing ------------------------------------------------------------------------------
    def _token_dialog(self, record: Row | None) -> TokenDialog | None:
        from vault_app.gui.token_dialog import TokenDialog

        vault = self.vault
        if vault is None or self.background.busy:
            return None
        env = self.proxy.environment

        def save(request: TokenRequest) -> tuple[str, ...]:
            if record is None:
                if request.value is None:
                    raise VaultError("paste the token value")
                change = vault.add(request.name, request.env, request.value, request.fields)
            else:
                change = vault.edit(request.name, request.env, request.fields, request.value)
            return change.warnings

        envs = environment_choices(self.snapshot.environments if self.snapshot else [])
        dialog = TokenDialog(
            environments=envs,
            now=self.options.clock.now,
            save=save,
            holders=vault.holders_of,
            record=record.record if record else None,
            default_env=env,
            parent=self,
        )

        def accepted() -> None:
            ref = RecordRef(dialog.name.text().strip(), dialog.env.currentText().strip().lower())
            self.reload(select=ref)
            verb = "Added" if record is None else "Saved"
            message = f"{verb} {ref.name} ({ref.env})."
            if dialog.warnings:
                message += " " + " ".join(dialog.warnings)
            self.statusBar().showMessage(message, 8000)

        dialog.accepted.connect(accepted)
        return dialog

    def add_token(self) -> TokenDialog | None:
        dialog = self._token_dialog(None)
        if dialog is not None:
            dialog.open()
        return dialog

    def edit_selected(self) -> TokenDialog | None:
        row = self.current_row()
        if row is None:
            return None
        dialog = self._token_dialog(row)
        if dialog is not None:
            dialog.open()
        return dialog

    def remove_selected(self) -> None:
        row = self.current_row()
        vault = self.vault
        if row is None or vault is None or self.background.busy:
            return
        answer = QMessageBox.question(
            self,
            "Remove token",
            f"Remove {row.record.name} ({row.record.env}) from the vault? This cannot be undone.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            vault.remove(row.record.name, row.record.env)
        except Exception as exc:
            self.fail(exc)
            return
        self.statusBar().showMessage(f"Removed {row.record.name} ({row.record.env}).", 5000)
        forget(self.settings, row.ref)
        self.reload()

    # -- health and settings -------------------------------------------------------------------
    def health_report(self) -> HealthReport | None:
        return self.health.report if self.health else None

    def show_health(self) -> HealthDialog | None:
        report = self.health_report()
        if report is None:
            return None
        from vault_app.gui.other_dialogs import HealthDialog

        dialog = HealthDialog(report, self)
        dialog.open_token.connect(self.select)
        dialog.open()
        return dialog

    def show_settings(self) -> SettingsDialog:
        from vault_app.gui.other_dialogs import SettingsDialog

        dialog = SettingsDialog(self.prefs, self)

        def accepted() -> None:
            # The dialog does not show the tray setting (the tray menu does): keep it.
            chosen = dialog.preferences()
            self.apply_preferences(
                dataclasses.replace(chosen, close_to_tray=self.prefs.close_to_tray)
            )

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def apply_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        prefs.save(self.settings)
        self.model.set_expiring_seconds(prefs.expiring_seconds)
        if self.vault is not None:
            self.idle.set_interval(self._idle_ms())
        self.clipboard.delay_ms = self._clipboard_delay_ms()

    # -- showing and opening -------------------------------------------------------------------
    def show_window(self) -> None:
        """Show, raise and focus (from the tray, a notification, or a second start)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def open_token(self, ref: RecordRef) -> None:
        """Show the window on a token; when locked, unlock first and select it after."""
        self.show_window()
        if self.vault is None:
            self._pending_select = ref
            self.start()
            return
        if not self.select(ref):
            self.statusBar().showMessage(f"{ref.name} ({ref.env}) is no longer in the vault.", 5000)

    # -- locking and quitting ------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.vault is None

    def lock(self, reason: str = "") -> None:
        """Drop every row and value, clear our clipboard content, close the vault."""
        self.rotation.locked()
        self.clipboard.clear_now()
        vault, self.vault = self.vault, None
        self.snapshot = None
        self.health = None
        self.model.clear()
        self.detail.show_row(None, self._now(), self.prefs.expiring_seconds)
        self.ticker.stop()
        self.idle.set_interval(0)
        if vault is not None:
            self.background.run(vault.close, lambda _r: None, self.fail)
            self.locked_changed.emit(True)
        self._show_locked(f"Locked ({reason})." if reason else "Locked.")

    def _watch_input(self) -> None:
        """Input restarts the idle timer from now on (after the first paint: see __init__)."""
        app = QApplication.instance()
        if app is not None and not self._watching_input:
            self._watching_input = True
            app.installEventFilter(self.idle)

    def _show_locked(self, message: str) -> None:
        self.pages.setCurrentIndex(0)
        self.lock_action.setEnabled(False)
        self.locked_label.setText(f"<b>The vault is locked.</b><br>{message}")
        self.unlock_button.setFocus()

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            QApplication.restoreOverrideCursor()

    def quit_app(self) -> None:
        """Quit for real (the tray's Quit, Ctrl+Q, a signal): closing may only hide."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_to_tray and self.prefs.close_to_tray and not self._quitting:
            self.save_geometry()
            self.hide()
            event.ignore()
            return
        self.save_geometry()
        self.lock("quit")
        self.background.wait_idle()
        self.background.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        self._watching_input = False
        event.accept()
        self.closed.emit()

    # -- errors --------------------------------------------------------------------------------
    def fail(self, exc: BaseException) -> None:
        """Every error the window meets ends here: one dialog, one status line."""
        message = show_error(self, exc)
        self.statusBar().showMessage(message, 8000)


def _open_and_load(opener: Callable[[], Vault]) -> tuple[Vault, Snapshot]:
    vault = opener()
    try:
        return vault, take_snapshot(vault)
    except BaseException:
        vault.close()
        raise


__all__ = ["MainWindow", "Options", "QDialog"]
