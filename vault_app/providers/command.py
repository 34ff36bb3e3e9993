"""A user-configured program makes the new value.

``command`` is split as a shell would split it and run without a shell; it gets the current value
on standard input and prints JSON ``{"value": ..., "expires_at": ...}``. ``test_command`` (optional)
gets the pending value on stdin and exits 0 when it works; ``revoke_command`` (optional) gets the
old value on stdin.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from collections.abc import Mapping

from vault_app.core.secret import Secret
from vault_app.providers.base import (
    Capability,
    Check,
    Context,
    Created,
    LiveInfo,
    OptionSpec,
    Provider,
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    clean,
    parse_time,
)

DEFAULT_TIMEOUT = 60.0


class Command(Provider):
    name = "command"
    title = "a program of yours"
    capabilities = frozenset({Capability.ROTATE, Capability.REVOKE})
    options = (
        OptionSpec("command", "program that prints the new value as JSON", required=True),
        OptionSpec("test_command", "program that exits 0 when the value on stdin works"),
        OptionSpec("revoke_command", "program that retires the value on stdin"),
    )
    previous_stays_valid = True

    def _run(self, ctx: Context, key: str, value: Secret) -> subprocess.CompletedProcess[bytes]:
        line = ctx.need(key)
        try:
            argv = shlex.split(line)
        except ValueError:
            raise ProviderUnavailableError(
                f"the provider option {key} is not a valid command line"
            ) from None
        if not argv or shutil.which(argv[0]) is None:
            raise ProviderUnavailableError(
                f"the program of the provider option {key} was not found"
            )
        try:
            return subprocess.run(
                argv,
                input=value.reveal().encode() + b"\n",
                capture_output=True,
                timeout=ctx.timeout() or DEFAULT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ProviderTimeoutError(f"the {key} program did not finish in time") from None
        except OSError as exc:
            raise ProviderError(f"cannot run the {key} program: {exc.strerror}") from None

    def create(self, ctx: Context, current: Secret) -> Created:
        done = self._run(ctx, "command", current)
        if done.returncode != 0:
            tail = clean(done.stderr.decode(errors="replace")[-200:], (current,))
            raise ProviderError(f"the rotation command failed (exit {done.returncode}): {tail}")
        try:
            answer = json.loads(done.stdout.decode())
        except (ValueError, UnicodeDecodeError):
            raise ProviderError("the rotation command did not print JSON") from None
        value = answer.get("value") if isinstance(answer, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise ProviderError('the rotation command printed no "value"')
        return Created(Secret(value.strip()), expires_at=parse_time(answer.get("expires_at")))

    def test(self, ctx: Context, value: Secret, state: Mapping[str, str]) -> Check:
        if not ctx.option("test_command"):
            return Check(True, "no test_command configured", LiveInfo(status="unknown"))
        done = self._run(ctx, "test_command", value)
        if done.returncode == 0:
            return Check(True, "", LiveInfo(status="active"))
        tail = clean(done.stderr.decode(errors="replace")[-200:], (value,))
        return Check(False, f"the test command exited {done.returncode}: {tail}".rstrip(": "))

    def revoke(self, ctx: Context, old: Secret, state: Mapping[str, str]) -> None:
        if not ctx.option("revoke_command"):
            return
        done = self._run(ctx, "revoke_command", old)
        if done.returncode != 0:
            raise ProviderError(f"the revoke command failed (exit {done.returncode})")
