"""Token intelligence for front ends: inspect a value, evaluate a request against a record."""

from __future__ import annotations

from collections.abc import Callable

from vault_app.core import validate
from vault_app.core.constraints import Evaluation, RequestContext, evaluate
from vault_app.core.model import TokenRecord
from vault_app.core.secret import Secret
from vault_app.core.tokens import detect
from vault_app.services.vault import Vault


def inspect_value(value: Secret) -> dict[str, object]:
    """What the token says about itself; nothing is stored and no vault is needed."""
    return detect(value.reveal().strip()).to_json()


def check_request(vault: Vault, name: str, env: str | None, *, ip: str | None = None,
                  endpoint: str | None = None, scopes: list[str] | None = None,
                  at: str | None = None) -> tuple[TokenRecord, Evaluation]:
    record = vault.resolve(name, env)
    now = vault.clock.now()
    moment = validate.when(at, now) if at else now
    wanted = tuple(s for item in scopes or [] for s in item.split(",") if s.strip())
    context = RequestContext(at=moment, ip=ip, endpoint=endpoint, scopes=wanted)
    lookup: Callable[[str], str | None] | None = None
    if ip and record.constraints.countries:
        from vault_app.services.geo import country_of

        lookup = country_of
    evaluation = evaluate(record.constraints, expires_at=record.expires_at,
                          not_before=record.not_before, context=context, country_of=lookup)
    return record, evaluation
