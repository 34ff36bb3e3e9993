"""Where a vault lives: the default folder, and the names of the files inside it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "VAULT_APP_HOME"


@dataclass(frozen=True, slots=True)
class VaultHome:
    root: Path

    @classmethod
    def resolve(cls, explicit: str | Path | None = None) -> VaultHome:
        """``--home`` wins, then ``VAULT_APP_HOME``, then the platform's user data folder."""
        if explicit:
            return cls(Path(explicit).expanduser().absolute())
        env = os.environ.get(HOME_ENV)
        if env:
            return cls(Path(env).expanduser().absolute())
        from platformdirs import user_data_path

        return cls(user_data_path("vault-app", appauthor=False))

    @property
    def database(self) -> Path:
        return self.root / "vault.db"

    @property
    def keyfile(self) -> Path:
        return self.root / "vault.keys"

    @property
    def failures(self) -> Path:
        return self.root / "unlock-failures.json"

    @property
    def policy(self) -> Path:
        return self.root / "policy.toml"

    def exists(self) -> bool:
        return self.keyfile.exists() or self.database.exists()
