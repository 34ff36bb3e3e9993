"""The one API the command line and the desktop app call.

Every operation that touches a record goes through here, so the audit trail, validation and
token intelligence apply the same way whatever the front end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any

from vault_app.core import validate
from vault_app.core.clock import Clock, SystemClock
from vault_app.core.errors import (
    AmbiguousError,
    ConflictError,
    NotFoundError,
    ValidationError,
    VaultError,
)
from vault_app.core.model import Constraints, RecordRef, Source, TokenId, TokenRecord
from vault_app.core.secret import Secret
from vault_app.keystore import os_keyring, passphrase
from vault_app.keystore.keyfile import KeyFile
from vault_app.securefs import ensure_private_dir
from vault_app.services import policy_file
from vault_app.services.home import VaultHome
from vault_app.services.inputs import CLEAR, TokenFields
from vault_app.services.unlock import PassphraseSource, clear_failures, read_failures, unlock
from vault_app.storage import audit
from vault_app.storage.audit import AuditEvent, AuditVerification
from vault_app.storage.database import NEW_PAGE_HMAC, NEW_PAGE_SIZE, Database
from vault_app.storage.repository import TokenRepository, load_cipher

if TYPE_CHECKING:
    from vault_app.core.health import Finding, HealthReport
    from vault_app.core.policy import Policy

MAX_VALUE_LENGTH = 64 * 1024
EXPIRY_TOLERANCE_SECONDS = 60
_TOKEN_FILLED = ("provider", "kind", "expires_at", "not_before", "scopes", "cidrs", "resources")
_CONSTRAINTS = ("scopes", "cidrs", "countries", "endpoints", "resources")


@dataclass(frozen=True, slots=True)
class Change:
    """The record as stored, and sentences the user should read (e.g. expiry disagreements)."""

    record: TokenRecord
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Overview:
    records: list[TokenRecord]
    reused: dict[TokenId, tuple[RecordRef, ...]]
    health: HealthReport


@dataclass(frozen=True, slots=True)
class ImportItem:
    name: str
    env: str
    value: Secret
    fields: TokenFields


def check_value(value: Secret) -> Secret:
    text = value.reveal()
    stripped = text.strip()
    if not stripped:
        raise ValidationError("the token value is empty")
    if len(stripped) > MAX_VALUE_LENGTH:
        raise ValidationError("the token value is too long (over 64 KiB)")
    if "\n" in stripped or "\r" in stripped or "\x00" in stripped:
        raise ValidationError("the token value spans several lines or holds a NUL byte")
    return value if stripped == text else Secret(stripped)


class Vault:
    """An unlocked vault. Use as a context manager so the database is closed on every path."""

    def __init__(
        self,
        home: VaultHome,
        db: Database,
        keyfile: KeyFile,
        key: bytes,
        clock: Clock,
        failed_unlocks: int = 0,
        unlock_method: str = "passphrase",
    ) -> None:
        self.home = home
        self._db = db
        self._keyfile = keyfile
        self._key = key
        self.clock = clock
        self._repo = TokenRepository(db, load_cipher(db))
        #: failed unlock attempts since the last successful one (shown once, then forgotten)
        self.failed_unlocks = failed_unlocks
        self.unlock_method = unlock_method
        self._policy: Policy | None = None

    def __repr__(self) -> str:
        return f"Vault(home={str(self.home.root)!r})"

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        home: VaultHome,
        *,
        passphrase_value: Secret | None,
        use_keyring: bool,
        clock: Clock | None = None,
    ) -> Vault:
        """Make a new vault; at least one way to unlock it must work, or nothing is written."""
        import os

        clock = clock or SystemClock()
        if home.exists():
            raise ConflictError(f"a vault already exists at {home.root}")
        if not use_keyring and passphrase_value is None:
            raise ValidationError("a vault needs a passphrase when the keyring is not used")
        if use_keyring and passphrase_value is None and not os_keyring.status().usable:
            raise ValidationError(
                f"no usable OS keyring here ({os_keyring.status().reason}): "
                "give a passphrase, or use --no-keyring"
            )
        if passphrase_value is not None:
            hint = passphrase.strength_hint(passphrase_value.reveal())
            if hint and len(passphrase_value) < passphrase.MIN_PASSPHRASE_LENGTH:
                raise ValidationError(f"passphrase {hint}")
        key = os.urandom(32)
        keyfile = KeyFile.new(page_size=NEW_PAGE_SIZE, page_hmac=NEW_PAGE_HMAC)
        if passphrase_value is not None:
            keyfile = keyfile.with_passphrase(
                passphrase.wrap(key, passphrase_value, keyfile.associated_data)
            )
        ensure_private_dir(home.root)
        if use_keyring and os_keyring.status().usable:
            os_keyring.store(keyfile.vault_id, key)
            keyfile = keyfile.with_keyring(True)
        db = Database.create(
            home.database, key, page_size=keyfile.page_size, page_hmac=keyfile.page_hmac
        )
        keyfile.save(home.keyfile)
        policy_file.write_default(home)
        vault = cls(home, db, keyfile, key, clock, unlock_method="init")
        vault._event("init", detail="keyring" if keyfile.keyring else "passphrase")
        return vault

    @classmethod
    def open(
        cls,
        home: VaultHome,
        ask_passphrase: PassphraseSource,
        *,
        clock: Clock | None = None,
        use_keyring: bool = True,
    ) -> Vault:
        clock = clock or SystemClock()
        unlocked = unlock(home, ask_passphrase, use_keyring=use_keyring, now=clock.now())
        failures, _ = read_failures(home)
        vault = cls(
            home, unlocked.db, unlocked.keyfile, unlocked.key, clock, failures, unlocked.method
        )
        with vault._db.transaction() as conn:
            if failures:
                audit.append(conn, clock.now(), "unlock-failed", detail=f"{failures} attempt(s)")
            audit.append(conn, clock.now(), "unlock", detail=unlocked.method)
        clear_failures(home)
        return vault

    def close(self) -> None:
        self._db.close()
        self._key = b""

    def __enter__(self) -> Vault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def database(self) -> Database:
        """For sibling service modules (rotation, reminders) that keep their own tables."""
        return self._db

    @property
    def repository(self) -> TokenRepository:
        """For sibling service modules (rotation) that stage values in their own slots."""
        return self._repo

    @property
    def keyring_enabled(self) -> bool:
        return self._keyfile.keyring

    @property
    def passphrase_enabled(self) -> bool:
        return self._keyfile.passphrase is not None

    # -- reading -----------------------------------------------------------------------------
    def records(self, env: str | None = None) -> list[TokenRecord]:
        return self._repo.all(validate.environment(env) if env else None)

    def environments(self) -> list[str]:
        return self._repo.environments()

    def resolve(self, name: str, env: str | None = None) -> TokenRecord:
        """The record called ``name``; ``env`` may be left out where the name is in one env only."""
        name = validate.name(name)
        found = self._repo.find(name, validate.environment(env) if env else None)
        if not found:
            where = f" in {validate.environment(env)}" if env else ""
            raise NotFoundError(f"no token named {name}{where}")
        if len(found) > 1:
            envs = ", ".join(r.env for r in found)
            raise AmbiguousError(f"{name} exists in several environments ({envs}): give --env")
        return found[0]

    def reused_in(
        self, records: Sequence[TokenRecord] | None = None
    ) -> dict[TokenId, tuple[RecordRef, ...]]:
        """For each record, the other records that hold the same value (by fingerprint)."""
        from vault_app.core.health import reused_map

        everything = self._repo.all()
        wanted = None if records is None else {r.id for r in records}
        found = reused_map(everything)
        return {k: v for k, v in found.items() if wanted is None or k in wanted}

    def holders_of(self, value: Secret) -> list[RecordRef]:
        """Records already holding ``value`` (by keyed fingerprint), to warn before a save."""
        fingerprint = self._repo.fingerprint(check_value(value))
        return [RecordRef(r.name, r.env) for r in self._repo.with_fingerprint(fingerprint)]

    def reveal(self, record: TokenRecord, purpose: str = "reveal") -> Secret:
        """Decrypt one value. ``purpose`` (reveal, copy, run, export, ...) goes in the audit log."""
        value = self._repo.open_value(record)
        self._event(purpose, record)
        return value

    # -- writing -----------------------------------------------------------------------------
    def add(self, name: str, env: str, value: Secret, given: TokenFields | None = None) -> Change:
        name, env = validate.name(name), validate.environment(env)
        value = check_value(value)
        if self._repo.find(name, env):
            raise ConflictError(
                f"{name} already exists in {env} (use `vault-app edit` to change it)"
            )
        now = self.clock.now()
        record = self._blank(name, env, value, now)
        record, warnings = merge_fields(record, given or TokenFields(), value, fresh_value=True)
        with self._db.transaction() as conn:
            self._repo.insert(conn, record, value)
            audit.append(conn, now, "add", name, env)
        return Change(record, warnings)

    def _blank(self, name: str, env: str, value: Secret, now: datetime) -> TokenRecord:
        """A new record before the user's fields and the token's own data are merged in."""
        return TokenRecord(
            id=self._repo.new_id(), name=name, env=env, provider=None, kind=None,
            fingerprint=self._repo.fingerprint(value), created_at=now, updated_at=now,
        )

    def _revalued(self, record: TokenRecord, value: Secret, now: datetime) -> TokenRecord:
        """The record with a new value: a new version, and the value counts as rotated now."""
        return replace(record, version=record.version + 1, last_rotated_at=now, updated_at=now,
                       fingerprint=self._repo.fingerprint(value))

    def edit(
        self, name: str, env: str | None, given: TokenFields, value: Secret | None = None
    ) -> Change:
        record = self.resolve(name, env)
        now = self.clock.now()
        if value is not None:
            value = check_value(value)
            record = self._revalued(record, value, now)
        record, warnings = merge_fields(
            replace(record, updated_at=now), given, value, fresh_value=value is not None
        )
        with self._db.transaction() as conn:
            self._repo.update(conn, record, value)
            audit.append(
                conn,
                now,
                "edit",
                record.name,
                record.env,
                "value changed" if value is not None else "",
            )
        return Change(record, warnings)

    def remove(self, name: str, env: str | None) -> TokenRecord:
        record = self.resolve(name, env)
        with self._db.transaction() as conn:
            self._repo.delete(conn, record)
            audit.append(conn, self.clock.now(), "delete", record.name, record.env)
        return record

    def import_items(
        self, items: Iterable[ImportItem], *, replace_existing: bool = False
    ) -> list[Change]:
        """All or nothing: one bad item and no record is written."""
        now = self.clock.now()
        changes: list[Change] = []
        seen: set[tuple[str, str]] = set()
        with self._db.transaction() as conn:
            for item in items:
                name, env = validate.name(item.name), validate.environment(item.env)
                if (name, env) in seen:
                    raise ValidationError(f"the import holds {name} ({env}) twice")
                seen.add((name, env))
                value = check_value(item.value)
                existing = self._repo.find(name, env)
                if existing and not replace_existing:
                    raise ConflictError(f"{name} already exists in {env}; nothing was imported")
                base = (self._revalued(existing[0], value, now) if existing
                        else self._blank(name, env, value, now))
                record, warnings = merge_fields(base, item.fields, value, fresh_value=True)
                if existing:
                    self._repo.update(conn, record, value)
                else:
                    self._repo.insert(conn, record, value)
                changes.append(Change(record, warnings))
            audit.append(conn, now, "import", detail=f"{len(changes)} token(s)")
        return changes

    def export_items(self) -> list[tuple[TokenRecord, Secret]]:
        return self.open_all("export", detail="plaintext")

    def open_all(self, purpose: str, detail: str = "") -> list[tuple[TokenRecord, Secret]]:
        """Every value, for a command that needs them all (export, scan); one audit event."""
        records = self._repo.all()
        out = [(r, self._repo.open_value(r)) for r in records]
        self._event(purpose, detail=", ".join(filter(None, [f"{len(out)} token(s)", detail])))
        return out

    def restore_items(self, items: Sequence[tuple[TokenRecord, Secret]], detail: str = "") -> int:
        """Records from a backup, kept as they were (ids, dates, sources), into an empty vault.

        All or nothing; fingerprints are recomputed because their key belongs to this vault.
        """
        if self._repo.all():
            raise ConflictError("a backup restores into an empty vault only; nothing was restored")
        now = self.clock.now()
        seen: set[tuple[str, str]] = set()
        with self._db.transaction() as conn:
            for record, given in items:
                value = check_value(given)
                key = (validate.name(record.name), validate.environment(record.env))
                if key in seen:
                    raise ValidationError(f"the backup holds {key[0]} ({key[1]}) twice")
                seen.add(key)
                stored = replace(record, fingerprint=self._repo.fingerprint(value))
                self._repo.insert(conn, stored, value)
            summary = ", ".join(filter(None, [f"{len(items)} token(s)", detail]))
            audit.append(conn, now, "restore", detail=summary)
        return len(items)

    # -- policy and health -------------------------------------------------------------------
    def policy(self) -> Policy:
        """The vault folder's policy, read once per open vault."""
        if self._policy is None:
            self._policy = policy_file.load(self.home)
        return self._policy

    def health(self, env: str | None = None, records: Sequence[TokenRecord] | None = None) -> HealthReport:
        """Findings over metadata only: no value is decrypted. Pass ``records`` (all of them)
        when the caller has just read them, to save a second read."""
        from vault_app.core.health import evaluate_health

        everything = self._repo.all() if records is None else records
        return evaluate_health(everything, self.policy(), self.clock.now(),
                               env=validate.environment(env) if env else None)

    def overview(self, env: str | None = None) -> Overview:
        """Records, reuse and health from one read: what a list view needs at once."""
        from vault_app.core.health import reused_map

        everything = self._repo.all()
        wanted = validate.environment(env) if env else None
        shown = [r for r in everything if wanted is None or r.env == wanted]
        return Overview(shown, reused_map(everything), self.health(wanted, everything))

    def list_json(self, env: str | None = None) -> bytes:
        """``list --json`` as compact JSON (UTF-8): the same objects as :meth:`overview` gives with
        :func:`views.record_json`, from kept per-record views (see ``services/listing.py``)."""
        from vault_app.services.listing import list_json

        return list_json(self._db, self._repo, self.policy(), self.clock.now(), env)

    def record_health(self, record: TokenRecord) -> tuple[tuple[RecordRef, ...], list[Finding]]:
        """One record's reuse and findings, through the fingerprint index: no full read."""
        from vault_app.core.health import evaluate_health

        group = self._repo.with_fingerprint(record.fingerprint) or [record]
        reused = tuple(sorted((RecordRef(r.name, r.env) for r in group if r.id != record.id),
                              key=lambda ref: (ref.name, ref.env)))
        report = evaluate_health(group, self.policy(), self.clock.now())
        return reused, list(report.for_record(RecordRef(record.name, record.env)))

    def interrupted_rotations(self) -> list[RecordRef]:
        """Records with a rotation run that did not finish (cheap: for a note on every start)."""
        from vault_app.storage.rotation_store import RotationStore

        open_ids = {run.token_id for run in RotationStore(self._db).open_runs()}
        if not open_ids:
            return []
        return [RecordRef(r.name, r.env) for r in self._repo.all() if r.id in open_ids]

    def record_events(self, record: TokenRecord, limit: int = 200) -> list[AuditEvent]:
        """The audit trail of one record, newest last."""
        return audit.events_for(self._db, record.name, record.env, limit)

    # -- audit -------------------------------------------------------------------------------
    def audit_events(self, limit: int | None = None) -> list[AuditEvent]:
        return audit.events(self._db, limit)

    def verify_audit(self) -> AuditVerification:
        return audit.verify(self._db)

    def _event(self, action: str, record: TokenRecord | None = None, detail: str = "") -> None:
        with self._db.transaction() as conn:
            audit.append(
                conn,
                self.clock.now(),
                action,
                record.name if record else None,
                record.env if record else None,
                detail,
            )

    # -- keys --------------------------------------------------------------------------------
    def change_passphrase(self, new: Secret) -> None:
        hint = passphrase.strength_hint(new.reveal())
        if hint and len(new) < passphrase.MIN_PASSPHRASE_LENGTH:
            raise ValidationError(f"passphrase {hint}")
        keyfile = self._keyfile.with_passphrase(
            passphrase.wrap(self._key, new, self._keyfile.associated_data)
        )
        keyfile.save(self.home.keyfile)
        self._keyfile = keyfile
        self._event("passwd")

    def set_keyring(self, enabled: bool) -> None:
        if enabled == self._keyfile.keyring:
            return
        if enabled:
            status = os_keyring.status()
            if not status.usable:
                raise VaultError(f"no usable OS keyring here: {status.reason}")
            os_keyring.store(self._keyfile.vault_id, self._key)
        elif self._keyfile.passphrase is None:
            raise ValidationError(
                "set a passphrase first (`vault-app passwd`): it would be the only key"
            )
        keyfile = self._keyfile.with_keyring(enabled)
        keyfile.save(self.home.keyfile)
        if not enabled:
            os_keyring.delete(self._keyfile.vault_id)
        self._keyfile = keyfile
        self._event("keyring", detail="enabled" if enabled else "disabled")


def merge_fields(
    record: TokenRecord, given: TokenFields, value: Secret | None, *, fresh_value: bool
) -> tuple[TokenRecord, tuple[str, ...]]:
    """Fill what the user did not give from the token itself; what the user gives wins."""
    from vault_app.core.tokens import detect

    sources = dict(record.sources)
    changes: dict[str, Any] = {}
    constraint_changes: dict[str, tuple[str, ...]] = {}
    warnings: list[str] = []
    user = given.given()
    detected: dict[str, Any] = {}
    if value is not None and fresh_value:
        found = detect(value.reveal())
        info = found.to_json()
        changes["token_info"] = MappingProxyType(info)
        detected = {
            "provider": found.provider,
            "kind": found.kind,
            "expires_at": found.expires_at,
            "not_before": found.not_before,
            "scopes": found.scopes or None,
            "cidrs": found.cidrs or None,
            "resources": found.resources or None,
        }
        warnings.extend(found.warnings)
    for field in _TOKEN_FILLED:
        token_value = detected.get(field)
        if field in user:
            continue
        if fresh_value and sources.get(field) != Source.USER:
            # A new value replaces what the old value said about itself.
            _assign(field, token_value, changes, constraint_changes)
            if token_value is None:
                sources.pop(field, None)
            else:
                sources[field] = Source.TOKEN
    options = user.pop("provider_options", None)
    if options is not None:
        merged = dict(record.provider_options)
        for key, option in options:  # type: ignore[attr-defined]
            if option:
                merged[key] = option
            else:
                merged.pop(key, None)
        changes["provider_options"] = MappingProxyType(merged)
    for field, given_value in user.items():
        resolved: Any = None if given_value == CLEAR else given_value
        _assign(field, resolved, changes, constraint_changes)
        if field in _TOKEN_FILLED or field in _CONSTRAINTS:
            sources[field] = Source.USER
        token_value = detected.get(field)
        if (
            field == "expires_at"
            and isinstance(token_value, datetime)
            and (
                resolved is None
                or abs((resolved - token_value).total_seconds()) > EXPIRY_TOLERANCE_SECONDS
            )
        ):
            shown = token_value.strftime("%Y-%m-%d %H:%M:%SZ")
            warnings.append(
                f"the token itself says it expires at {shown}; keeping the expiry you gave"
            )
    constraints = record.constraints
    if constraint_changes:
        constraints = replace(constraints, **constraint_changes)
    record = replace(record, **changes, constraints=constraints, sources=MappingProxyType(sources))
    if record.not_before and record.expires_at and record.not_before > record.expires_at:
        raise ValidationError("not-before is later than the expiry")
    return record, tuple(warnings)


def _assign(
    field: str, value: Any, changes: dict[str, Any], constraint_changes: dict[str, tuple[str, ...]]
) -> None:
    if field in _CONSTRAINTS:
        constraint_changes[field] = tuple(value or ())
    else:
        changes[field] = value


strength_hint = passphrase.strength_hint

__all__ = ["Change", "Constraints", "ImportItem", "Vault", "check_value", "strength_hint"]
keyring_status = os_keyring.status
__all__ += ["keyring_status"]
