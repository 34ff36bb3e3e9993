"""The policy file in the vault folder: written with its defaults at init, read on demand."""

from __future__ import annotations

from vault_app.core.errors import PolicyError
from vault_app.core.policy import DEFAULT_POLICY_TOML, Policy, parse_policy, set_policy_value
from vault_app.securefs import write_private
from vault_app.services.home import VaultHome


def read_text(home: VaultHome) -> str:
    try:
        return home.policy.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT_POLICY_TOML
    except UnicodeDecodeError:
        raise PolicyError(f"{home.policy}: not UTF-8 text") from None
    except OSError as exc:
        raise PolicyError(f"cannot read {home.policy}: {exc.strerror}") from None


def load(home: VaultHome) -> Policy:
    return parse_policy(read_text(home), filename=str(home.policy))


def write_default(home: VaultHome) -> None:
    if not home.policy.exists():
        write_private(home.policy, DEFAULT_POLICY_TOML.encode())


def set_value(home: VaultHome, key: str, raw_value: str) -> Policy:
    """Change one key, keeping the file's comments; a bad value changes nothing."""
    text = set_policy_value(read_text(home), key, raw_value)
    policy = parse_policy(text, filename=str(home.policy))
    write_private(home.policy, text.encode())
    return policy
