"""One desktop app per vault: a second start asks the first to show its window, then exits.

The first start holds a lock file and listens on a local socket, both named after a hash of the
vault folder (so two different vaults may each have their app) and kept in a private runtime
folder (``$XDG_RUNTIME_DIR``, else a 0700 folder of this user's under the temp folder). The lock
decides who is first, so two starts at the same moment cannot both win; the socket carries one
line ("raise" or "tray") and an answer. A lock or socket left by a crashed app is stale: the lock
names a process that is gone, and the socket is removed before listening.

The CLI never comes here: it opens the vault itself, next to a running app (SQLite WAL).
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

RAISE = "raise"
TRAY = "tray"
CONNECT_MS = 2000
#: how long a second start keeps trying while the first is still opening its socket
RETRIES = 20


#: a Unix socket path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS)
MAX_SOCKET_PATH = 100


def runtime_dir(name_length: int = 0) -> Path:
    """A folder only this user can enter, for the lock and the socket; the temp folder's when
    ``$XDG_RUNTIME_DIR`` is unset or too deep for a socket name of ``name_length``."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    path = Path(xdg) / "vault-app" if xdg else None
    if (
        path is None
        or not Path(str(xdg)).is_dir()
        or not os.access(str(xdg), os.W_OK)
        or len(os.fsencode(path)) + 1 + name_length > MAX_SOCKET_PATH
    ):
        uid = os.getuid() if hasattr(os, "getuid") else 0
        path = Path(tempfile.gettempdir()) / f"vault-app-{uid}"
    path.mkdir(mode=0o700, exist_ok=True)
    if sys.platform != "win32":
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
            raise PermissionError(f"{path} is not this user's own folder")
        if info.st_mode & 0o077:
            path.chmod(0o700)
    return path


def instance_key(vault_root: Path) -> str:
    """The same for every way of naming one vault folder; says nothing about where it is."""
    resolved = str(Path(vault_root).expanduser().resolve())
    return "vault-app-" + hashlib.sha256(resolved.encode()).hexdigest()[:24]


class SingleInstance(QObject):
    """``claim()`` True: we are the app for this vault (listen); False: send to the first one."""

    #: a later start's request, on the first app: "raise" or "tray"
    message_received = Signal(str)

    def __init__(self, vault_root: Path, folder: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = instance_key(vault_root)
        folder = folder or runtime_dir(len(self.key) + len(".sock"))
        self.folder = folder
        # On Windows a local server name is a pipe name, not a path.
        self.socket_name = self.key if sys.platform == "win32" else str(folder / f"{self.key}.sock")
        self._lock = QLockFile(str(folder / f"{self.key}.lock"))
        # Held for the app's whole life: never stale by age, only when its process is gone.
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    @property
    def primary(self) -> bool:
        return self._server is not None

    def claim(self) -> bool:
        if not self._lock.tryLock(0):
            return False
        QLocalServer.removeServer(self.socket_name)  # a socket left by a crashed app
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.socket_name):
            log.warning("single instance: cannot listen (%s)", server.errorString())
            # Still the only app on this vault (we hold the lock); later starts will not reach us.
            return True
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def send(self, message: str) -> str | None:
        """From a later start: deliver ``message``; the first app's answer, or None."""
        for _attempt in range(RETRIES):
            socket = QLocalSocket()
            socket.connectToServer(self.socket_name)
            if socket.waitForConnected(CONNECT_MS):
                socket.write((message + "\n").encode())
                socket.flush()
                socket.waitForBytesWritten(CONNECT_MS)
                answer = b""
                while not answer.endswith(b"\n") and socket.waitForReadyRead(CONNECT_MS):
                    answer += bytes(socket.readAll().data())
                socket.disconnectFromServer()
                return answer.decode(errors="replace").strip() or None
            # The first app holds the lock but may not be listening yet.
            socket.abort()
            if not self._lock.tryLock(100):
                continue
            # It went away meanwhile: the lock is ours now.
            self._lock.unlock()
            return None
        return None

    def _accept(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data()).decode(errors="replace").strip()
        if line not in (RAISE, TRAY):
            socket.write(b"unknown\n")
            socket.flush()
            return
        self.message_received.emit(line)
        socket.write(b"raised\n" if line == RAISE else b"running\n")
        socket.flush()

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()
