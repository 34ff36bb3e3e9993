"""End to end with real parts: Xvfb, a private D-Bus session and dunst. The app, started as a
user starts it on a vault holding a token that expires in 30 minutes, puts a notification on
the desktop naming the token and environment and not its value; started again, it does not
repeat it. Under Xvfb there is no StatusNotifier host, so this is the D-Bus delivery path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from desktop_parts import App, dunst, notifications, wait_until  # type: ignore[import-not-found]
from support import PASSPHRASE, base_env, require_system  # type: ignore[import-not-found]
from system_parts import dbus_session  # type: ignore[import-not-found]

from vault_app.core.clock import SystemClock
from vault_app.core.secret import Secret
from vault_app.services.home import VaultHome
from vault_app.services.inputs import TokenFields
from vault_app.services.vault import Vault

pytestmark = pytest.mark.system

VALUE = "deploy-" + "Q7w8E9r0T1y2U3i4O5p6A7s8D9f0"


def _vault(root: Path) -> None:
    clock = SystemClock()
    with Vault.create(VaultHome(root), passphrase_value=Secret(PASSPHRASE), use_keyring=False,
                      clock=clock) as vault:
        vault.add("DEPLOY_KEY", "prod", Secret(VALUE),
                  TokenFields(expires_at=clock.now() + timedelta(minutes=30)))


def test_expiry_reminder_reaches_dunst_once(tmp_path, xvfb_display):
    require_system("dbus-daemon", "dunst", "dunstctl", why="a desktop notification daemon")
    home = tmp_path / "vault"
    _vault(home)
    with dbus_session(tmp_path) as bus:
        env = {**base_env(tmp_path), **bus, "DISPLAY": xvfb_display,
               "VAULT_APP_PASSPHRASE": PASSPHRASE, "QT_QPA_PLATFORM": "xcb"}
        with dunst(tmp_path, env):
            app = App(home, env, tmp_path / "app-1.log")
            try:
                app.wait_for("reminder schedule loaded")
                app.wait_for("reminder: DEPLOY_KEY (prod)")
                # The app logs the reminder as it sends it; dunst may show it a moment later.
                wait_until(lambda: notifications(env), 15, "the reminder in dunst")
                shown = notifications(env)
            finally:
                assert app.stop() == 0, app.text()
            assert len(shown) == 1, shown
            note = shown[0]
            text = note.get("summary", "") + " " + note.get("body", "")
            assert "DEPLOY_KEY" in text and "prod" in text and "min" in text
            assert VALUE not in " ".join(note.values())
            assert VALUE not in app.text()
            assert "internal error" not in app.text()

            # Started again: the reminder was remembered in the vault, nothing new arrives.
            again = App(home, env, tmp_path / "app-2.log")
            try:
                again.wait_for("reminder schedule loaded")
                assert len(notifications(env)) == 1
            finally:
                assert again.stop() == 0, again.text()
            assert "reminder:" not in again.text()
            assert len(notifications(env)) == 1
