"""Mints a new JWT from a signing key kept in the vault, copying the current token's claims.

Options: ``signing_key`` names the record holding the key (an HMAC secret, or a PEM private key),
``algorithm`` (default: the current token's), ``lifetime`` in seconds (default: the current token's
``exp - iat``, else one day).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jwt

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
)

DEFAULT_LIFETIME = 86400


def _header(value: Secret) -> dict[str, Any]:
    try:
        return dict(jwt.get_unverified_header(value.reveal()))
    except jwt.PyJWTError:
        raise ProviderError("the current value is not a JWT") from None


def _unverified_claims(value: Secret) -> dict[str, Any]:
    try:
        return dict(jwt.decode(value.reveal(), options={"verify_signature": False}))
    except jwt.PyJWTError:
        raise ProviderError("the current value is not a JWT") from None


def _verify_key(algorithm: str, key: str) -> Any:
    if algorithm.startswith("HS"):
        return key
    from cryptography.hazmat.primitives import serialization

    try:
        private = serialization.load_pem_private_key(key.encode(), password=None)
    except ValueError:
        return key  # perhaps a public key or secret; let pyjwt decide
    return private.public_key()


class JwtIssuer(Provider):
    name = "jwt-issuer"
    title = "JWT minted from a signing key in the vault"
    capabilities = frozenset({Capability.INSPECT, Capability.ROTATE})
    options = (
        OptionSpec(
            "signing_key", "record holding the signing key", required=True, names_record=True
        ),
        OptionSpec("algorithm", "signing algorithm (default: the current token's)"),
        OptionSpec("lifetime", "seconds from iat to exp of new tokens"),
    )
    previous_stays_valid = True

    def _algorithm(self, ctx: Context, value: Secret) -> str:
        algorithm = ctx.option("algorithm") or str(_header(value).get("alg") or "HS256")
        if algorithm.lower() == "none":
            raise ProviderError("refusing to mint unsigned tokens (alg none)")
        return algorithm

    def inspect(self, ctx: Context, value: Secret) -> LiveInfo:
        algorithm = self._algorithm(ctx, value)
        key = ctx.secret_of("signing_key").reveal()
        try:
            claims = jwt.decode(
                value.reveal(),
                _verify_key(algorithm, key),
                algorithms=[algorithm],
                options={"verify_aud": False, "verify_exp": False},
            )
        except jwt.InvalidSignatureError:
            return LiveInfo(status="invalid", extra={"reason": "signature does not verify"})
        except jwt.PyJWTError as exc:
            return LiveInfo(status="invalid", extra={"reason": type(exc).__name__})
        exp = claims.get("exp")
        expires = datetime.fromtimestamp(int(exp), UTC) if exp is not None else None
        status = "expired" if expires is not None and expires <= ctx.clock.now() else "active"
        scope = claims.get("scope") or claims.get("scp")
        scopes = (
            tuple(scope.split())
            if isinstance(scope, str)
            else (tuple(str(s) for s in scope) if isinstance(scope, list) else None)
        )
        return LiveInfo(
            status=status,
            scopes=scopes,
            expires_at=expires,
            identity=str(claims.get("sub")) if claims.get("sub") else None,
            extra={k: str(claims[k]) for k in ("iss", "aud") if k in claims},
        )

    def create(self, ctx: Context, current: Secret) -> Created:
        algorithm = self._algorithm(ctx, current)
        claims = _unverified_claims(current)
        header = {k: v for k, v in _header(current).items() if k in ("kid", "typ")}
        now = int(ctx.clock.now().timestamp())
        raw_lifetime = ctx.option("lifetime")
        if raw_lifetime:
            try:
                lifetime = int(raw_lifetime)
            except ValueError:
                raise ProviderError("the provider option lifetime must be seconds") from None
        elif "exp" in claims and "iat" in claims:
            lifetime = int(claims["exp"]) - int(claims["iat"])
        else:
            lifetime = DEFAULT_LIFETIME
        claims["iat"] = now
        claims["exp"] = now + max(lifetime, 60)
        if "nbf" in claims:
            claims["nbf"] = now
        if "jti" in claims:
            claims["jti"] = str(uuid.uuid4())
        key = ctx.secret_of("signing_key").reveal()
        try:
            token = jwt.encode(claims, key, algorithm=algorithm, headers=header or None)
        except (jwt.PyJWTError, ValueError, TypeError):
            raise ProviderError(f"cannot sign with the key for {algorithm}") from None
        return Created(Secret(token), expires_at=datetime.fromtimestamp(claims["exp"], UTC))

    def test(self, ctx: Context, value: Secret, state: Mapping[str, str]) -> Check:
        info = self.inspect(ctx, value)
        if not info.active:
            return Check(False, f"the new token is {info.status}", info)
        return Check(True, "", info)
