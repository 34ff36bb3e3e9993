"""``run`` and ``inject``: tokens handed to a program as environment variables or into a file.

Everything the vault must say is resolved before the program starts, so a missing reference
fails with nothing started and nothing revealed. The program is started without a shell, gets
the values in its environment (never in its arguments), and its exit code is passed through.
By default its stdout and stderr go through a :class:`~vault_app.core.masking.Masker`, so an
injected value it prints shows as ``<concealed:NAME>``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

from vault_app.core import references, validate
from vault_app.core.errors import NotFoundError, ValidationError, VaultError
from vault_app.core.importers import dotenv
from vault_app.core.masking import Masker
from vault_app.core.model import TokenRecord
from vault_app.core.secret import Secret
from vault_app.services.vault import Vault

#: Never handed to the child: it unlocks the vault, and the child gets only what it asked for.
WITHHELD = ("VAULT_APP_PASSPHRASE",)
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
READ_SIZE = 64 * 1024
#: After the program exits, how long to wait for a background child still holding its pipes.
DRAIN_SECONDS = 2.0


class CommandError(VaultError):
    """The program could not be started; exit codes as a shell gives them (127, 126)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class Injection:
    """What the program gets: variables, and the values to mask under which label."""

    variables: Mapping[str, Secret] = field(default_factory=dict)
    #: (label, value): every vault value in ``variables``, labelled by its variable name
    masked: tuple[tuple[str, Secret], ...] = ()
    records: tuple[TokenRecord, ...] = ()

    def __repr__(self) -> str:
        return f"Injection(variables={sorted(self.variables)!r})"

    def masker(self) -> Masker:
        return Masker((label, value.reveal().encode()) for label, value in self.masked)


@dataclass(frozen=True, slots=True)
class _Line:
    key: str
    text: str
    refs: tuple[references.Reference, ...]


def prepare(
    vault: Vault,
    *,
    env: str | None,
    only: Sequence[str] | None = None,
    template: str | None = None,
    template_source: str = "",
    purpose: str = "run",
) -> Injection:
    """Resolve every record first (errors here start nothing), then reveal each one once."""
    if env is None and template is None:
        raise ValidationError("say what to inject: --env ENV, --env-file FILE, or both")
    if only and env is None:
        raise ValidationError("--only picks tokens of --env ENV: give --env too")
    chosen: list[TokenRecord] = []
    if env is not None:
        env = validate.environment(env)
        in_env = {r.name: r for r in vault.records(env)}
        if only:
            names = [validate.name(n.strip()) for n in only if n.strip()]
            missing = [n for n in names if n not in in_env]
            if missing:
                raise NotFoundError(f"no token named {', '.join(missing)} in {env}")
            chosen = [in_env[n] for n in dict.fromkeys(names)]
        else:
            chosen = list(in_env.values())
            if not chosen and template is None:
                raise NotFoundError(f"no tokens in {env}: nothing to inject")
    lines: list[_Line] = []
    wanted: dict[tuple[str, str | None], TokenRecord] = {}
    if template is not None:
        for item in dotenv.assignments(template, source=template_source):
            try:
                refs = tuple(references.find(item.value))
                for ref in refs:
                    if (ref.name, ref.env) not in wanted:
                        wanted[(ref.name, ref.env)] = vault.resolve(ref.name, ref.env or env)
            except VaultError as exc:
                where = f"{template_source}: " if template_source else ""
                raise type(exc)(f"{where}line {item.line} ({item.key}): {exc}") from None
            lines.append(_Line(item.key, item.value, refs))

    revealed: dict[str, Secret] = {}

    def value_of(record: TokenRecord) -> Secret:
        if record.id not in revealed:
            revealed[record.id] = vault.reveal(record, purpose)
        return revealed[record.id]

    variables: dict[str, Secret] = {}
    masked: list[tuple[str, Secret]] = []
    for record in chosen:
        variables[record.name] = value_of(record)
        masked.append((record.name, variables[record.name]))
    for line in lines:
        if not line.refs:
            variables[line.key] = Secret(line.text)
            continue
        used = {ref.text: value_of(wanted[(ref.name, ref.env)]) for ref in line.refs}
        variables[line.key] = Secret(references.substitute(line.text, _lookup(used)))
        masked.extend((line.key, value) for value in used.values())
    records = {r.id: r for r in [*chosen, *wanted.values()]}
    return Injection(variables, tuple(masked), tuple(records.values()))


def _lookup(values: Mapping[str, Secret]) -> Callable[[references.Reference], str]:
    return lambda ref: values[ref.text].reveal()


def render(vault: Vault, template: str, *, env: str | None, purpose: str = "inject") -> str:
    """``template`` with each ``vault://`` reference replaced by its value (all resolved first)."""
    found: dict[str, TokenRecord] = {}
    for number, line in enumerate(template.splitlines(), start=1):
        try:
            for ref in references.find(line):
                if ref.text not in found:
                    found[ref.text] = vault.resolve(ref.name, ref.env or env)
        except VaultError as exc:
            raise type(exc)(f"line {number}: {exc}") from None
    by_id: dict[str, Secret] = {}
    for record in found.values():
        if record.id not in by_id:
            by_id[record.id] = vault.reveal(record, purpose)
    return references.substitute(template, lambda ref: by_id[found[ref.text].id].reveal())


def child_environment(
    injected: Mapping[str, Secret], base: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in WITHHELD}
    env.update({k: v.reveal() for k, v in injected.items()})
    return env


def run(
    command: Sequence[str],
    injection: Injection,
    *,
    masking: bool = True,
    stdout_fd: int = 1,
    stderr_fd: int = 2,
) -> int:
    """Run ``command`` (no shell) and return its exit code (128 + N when killed by signal N)."""
    if not command:
        raise ValidationError(
            "give the command to run after --, e.g. vault-app run --env dev -- make"
        )
    pipe = subprocess.PIPE if masking else None
    with _forwarding() as started:
        try:
            child = subprocess.Popen(
                list(command),
                env=child_environment(injection.variables),
                stdout=pipe,
                stderr=pipe,
            )
        except FileNotFoundError:
            raise CommandError(f"command not found: {command[0]}", 127) from None
        except PermissionError:
            raise CommandError(f"permission denied: {command[0]}", 126) from None
        except OSError as exc:
            raise CommandError(f"cannot run {command[0]}: {exc.strerror}", 126) from None
        pumps: list[threading.Thread] = []
        if masking:
            assert child.stdout is not None and child.stderr is not None
            for source, target in ((child.stdout, stdout_fd), (child.stderr, stderr_fd)):
                pump = threading.Thread(
                    target=_pump, args=(source.fileno(), target, injection.masker()), daemon=True
                )
                pump.start()
                pumps.append(pump)
        started(child)
        code = child.wait()
    for pump in pumps:
        pump.join(DRAIN_SECONDS)
    return 128 - code if code < 0 else code


def _pump(source: int, target: int, masker: Masker) -> None:
    """Copy one pipe through the masker, writing as soon as something may be shown."""
    writable = True
    try:
        while True:
            chunk = os.read(source, READ_SIZE)
            if not chunk:
                break
            if writable:
                writable = _write_all(target, masker.feed(chunk))
        if writable:
            _write_all(target, masker.finish())
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.close(source)


def _write_all(fd: int, data: bytes) -> bool:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BrokenPipeError:
            return False
        view = view[written:]
    return True


@contextlib.contextmanager
def _forwarding() -> Iterator[Callable[[subprocess.Popen[bytes]], None]]:
    """While the child runs, SIGINT/SIGTERM/SIGHUP sent to us are sent on to it.

    The handlers are in place before the child starts; a signal that arrives before it exists
    is sent as soon as it does. A Ctrl-C typed in a terminal already reaches the child (it is in
    the terminal's foreground process group with us), so that SIGINT is not sent twice.
    """
    children: list[subprocess.Popen[bytes]] = []
    pending: list[int] = []

    def send(signum: int) -> None:
        if signum == signal.SIGINT and _terminal_delivers_to_child():
            return
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)

    def forward(signum: int, frame: FrameType | None) -> None:
        if children:
            send(signum)
        else:
            pending.append(signum)

    def started(child: subprocess.Popen[bytes]) -> None:
        children.append(child)
        for signum in pending:
            send(signum)
        pending.clear()

    if threading.current_thread() is not threading.main_thread():
        yield started
        return
    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS}
    try:
        yield started
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _terminal_delivers_to_child() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)
