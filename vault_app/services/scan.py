"""``vault-app scan``: where the vault's own values sit in files (a .env, a shell history, a log).

The one place that decrypts every value without a command to pass them to; it reports file, line,
record and environment, never the value.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vault_app.core.leakscan import ValueMatcher
from vault_app.core.model import RecordRef
from vault_app.services.vault import Vault

MAX_FILE_BYTES = 10 * 1024 * 1024
_SNIFF = 8192


@dataclass(frozen=True, slots=True)
class Leak:
    path: str
    line: int
    name: str
    env: str
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return {"file": self.path, "line": self.line, "name": self.name, "env": self.env,
                "note": self.note or None}


@dataclass
class ScanResult:
    leaks: list[Leak] = field(default_factory=list)
    files_scanned: int = 0
    skipped_binary: int = 0
    skipped_large: int = 0
    skipped_unreadable: int = 0
    values_too_short: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "leaks": [leak.to_json() for leak in self.leaks],
            "summary": {
                "files_scanned": self.files_scanned,
                "skipped_binary": self.skipped_binary,
                "skipped_large": self.skipped_large,
                "skipped_unreadable": self.skipped_unreadable,
                "values_too_short": self.values_too_short,
                "leaks": len(self.leaks),
            },
        }


def scan(vault: Vault, paths: Iterable[str]) -> ScanResult:
    values: dict[bytes, list[RecordRef]] = defaultdict(list)
    for record, secret in vault.open_all("scan"):
        values[secret.reveal().encode()].append(RecordRef(record.name, record.env))
    matcher = ValueMatcher(values)
    values.clear()
    policy = vault.policy()
    envs = set(vault.environments()) | {"dev", "staging", "test", "qa", "local"}
    result = ScanResult(values_too_short=matcher.skipped)
    for path in _files(paths, result):
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            result.skipped_unreadable += 1
            continue
        if len(data) > MAX_FILE_BYTES:
            result.skipped_large += 1
            continue
        if b"\x00" in data[:_SNIFF]:
            result.skipped_binary += 1
            continue
        result.files_scanned += 1
        words = {w.lower() for w in re.split(r"[^A-Za-z0-9]+", str(path))}
        for hit in matcher.find(data):
            note = ""
            if policy.is_prod(hit.ref.env):
                others = sorted(e for e in envs if e in words and not policy.is_prod(e))
                if others:
                    note = f"a {hit.ref.env} token in a file whose path says {others[0]}"
            result.leaks.append(Leak(str(path), hit.line, hit.ref.name, hit.ref.env, note))
    return result


def _files(paths: Iterable[str], result: ScanResult) -> Iterable[Path]:
    """Regular files below the paths; links are not followed, so a link loop ends nowhere."""
    for raw in paths:
        root = Path(raw)
        if root.is_symlink() or not root.exists():
            result.skipped_unreadable += 1
            continue
        if root.is_file():
            yield root
            continue
        for folder, dirs, files in os.walk(root, followlinks=False, onerror=lambda _e: None):
            dirs[:] = sorted(d for d in dirs if d not in {".git", "node_modules", "__pycache__"})
            for name in sorted(files):
                path = Path(folder, name)
                if path.is_symlink() or not path.is_file():
                    continue
                yield path
