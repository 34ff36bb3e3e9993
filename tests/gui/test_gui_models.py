"""The table model, the filter proxy and the health model: model tester, sorting, filtering,
countdown ticks, and no secret value anywhere in the models."""

from __future__ import annotations

from datetime import timedelta

from gui_support import NOW, PASSPHRASE, VALUES  # type: ignore[import-not-found]
from PySide6.QtCore import Qt

from vault_app.core.clock import FixedClock
from vault_app.core.secret import Secret
from vault_app.gui.other_dialogs import health_model
from vault_app.gui.snapshot import assess, take_snapshot
from vault_app.gui.table_model import SORT_ROLE, Column, TokenFilterProxy, TokenTableModel
from vault_app.services.home import VaultHome
from vault_app.services.vault import Vault


def _snapshot(vault_dir):
    with Vault.open(
        VaultHome(vault_dir), lambda: Secret(PASSPHRASE), clock=FixedClock(NOW), use_keyring=False
    ) as vault:
        snap = take_snapshot(vault)
        return snap, assess(snap.records, snap.policy, NOW)


def _models(vault_dir):
    snap, health = _snapshot(vault_dir)
    model = TokenTableModel(int(NOW.timestamp()), 7 * 86400)
    model.set_rows(snap.rows)
    model.apply_health(health.report, health.reused)
    proxy = TokenFilterProxy()
    proxy.setSourceModel(model)
    return health, model, proxy


def _names(proxy):
    return [
        (proxy.index(r, Column.NAME).data(), proxy.index(r, Column.ENV).data())
        for r in range(proxy.rowCount())
    ]


def test_models_pass_the_model_tester(qtmodeltester, vault_dir):
    health, model, proxy = _models(vault_dir)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    proxy.set_search("github")
    qtmodeltester.check(proxy)
    proxy.set_environment("prod")
    qtmodeltester.check(proxy)
    qtmodeltester.check(health_model(health.report))


def test_filter_matches_name_provider_tag_scope_env(vault_dir):
    _, _, proxy = _models(vault_dir)
    proxy.set_search("GITHUB")
    assert {n for n, _ in _names(proxy)} == {"GITHUB_TOKEN"}
    proxy.set_search("billing")  # a tag
    assert _names(proxy) == [("STRIPE_KEY", "prod")]
    proxy.set_search("read:org")  # a scope
    assert _names(proxy) == [("GITHUB_TOKEN", "dev")]
    proxy.set_search("stripe staging")  # every word must match
    assert _names(proxy) == [("STRIPE_KEY", "staging")]
    proxy.set_search("")
    proxy.set_environment("prod")
    assert {e for _, e in _names(proxy)} == {"prod"}
    proxy.set_search("nothing-like-this")
    assert proxy.rowCount() == 0


def test_sort_by_expiry_uses_time_not_text(vault_dir):
    _, _model, proxy = _models(vault_dir)
    proxy.sort(Column.EXPIRES, Qt.SortOrder.AscendingOrder)
    keys = [proxy.index(r, Column.EXPIRES).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert keys == sorted(keys)
    texts = [proxy.index(r, Column.EXPIRES).data() for r in range(proxy.rowCount())]
    assert texts[0].startswith("expired")  # expired first, "never" last
    assert texts[-1] == "never"
    proxy.sort(Column.EXPIRES, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, Column.EXPIRES).data() == "never"
    # filtering still holds after a sort
    proxy.set_search("github")
    proxy.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert [e for _, e in _names(proxy)] == ["dev", "prod"]


def test_countdown_tick_changes_only_the_given_rows(qtbot, vault_dir):
    _, model, _proxy = _models(vault_dir)
    changed = []
    model.dataChanged.connect(
        lambda a, b, roles: changed.append((a.row(), b.row(), a.column(), b.column()))
    )
    row = model.find("GITHUB_TOKEN", "prod")
    before = model.index(row, Column.EXPIRES).data()
    model.tick(int((NOW + timedelta(days=1)).timestamp()), [row])
    assert changed == [(row, row, Column.EXPIRES, Column.STATUS)]
    after = model.index(row, Column.EXPIRES).data()
    assert before == "3d 0h" and after == "2d 0h"
    assert model.index(row, Column.STATUS).data() == "expiring"


def test_no_secret_value_in_any_role(vault_dir):
    _, model, _proxy = _models(vault_dir)
    roles = [int(r) for r in Qt.ItemDataRole] + [
        int(Qt.ItemDataRole.UserRole) + i for i in range(1, 5)
    ]
    seen = []
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            for role in roles:
                seen.append(repr(model.index(r, c).data(role)))
    text = "\n".join(seen)
    for value in VALUES.values():
        assert value not in text
        assert value[:16] not in text


def test_idle_watcher_hold_and_release():
    from PySide6.QtCore import QTimer

    from vault_app.gui.locking import IdleWatcher

    watcher = IdleWatcher(1000, QTimer())
    assert watcher.timer.isActive()
    watcher.hold()
    watcher.poke()
    assert not watcher.timer.isActive()
    watcher.set_interval(2000)
    assert not watcher.timer.isActive()
    watcher.release()
    assert watcher.timer.isActive() and watcher.timer.interval() == 2000
