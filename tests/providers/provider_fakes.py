"""Local HTTP servers on 127.0.0.1 that follow each provider's published API.

Shapes follow the providers' documentation: GitLab's personal access token API (401 body
``{"message": "401 Unauthorized"}``, rotate answers 200 with the new ``token`` and revokes the
old one, rotating a revoked token revokes the whole family), Cloudflare's v4 envelope
(``success/errors/messages/result``), HashiCorp Vault's ``{"errors": [...]}`` with 403 for a
bad token and ``auth.client_token`` from create, npm's ``/-/npm/v1/tokens`` (``objects``, ``key``
= SHA-512 of the token, creation needs the password), GitHub's ``X-OAuth-Scopes`` and
``GitHub-Authentication-Token-Expiration`` headers. Each server can be told to answer the next
requests with a fault: 429 with Retry-After, a 5xx, or a delay longer than the client's timeout.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Fault:
    method: str | None = None
    path: str | None = None  # substring of the path
    status: int = 429
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    #: with a delay: do the work first, then stall the answer (the answer gets lost)
    after: bool = False
    times: int = 1


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeProvider:
    """Base: a dispatcher with fault injection and a request log (no secrets are logged)."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.url = ""

    def fail_next(self, **kwargs: Any) -> None:
        self.faults.append(Fault(**kwargs))

    def rate_limit_body(self) -> Any:
        return {"message": "Too Many Requests"}

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        raise NotImplementedError

    def dispatch(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        with self.lock:
            self.calls.append((method, path))
            for fault in self.faults:
                if (fault.method in (None, method)) and (fault.path is None or fault.path in path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    if fault.delay:
                        delay, after = fault.delay, fault.after
                        break
                    body_out = fault.body
                    if body_out is None and fault.status == 429:
                        body_out = self.rate_limit_body()
                    return Reply(fault.status, body_out, fault.headers)
            else:
                delay, after = 0.0, False
        if delay and not after:
            time.sleep(delay)
        with self.lock:
            reply = self.handle(method, path, headers, body)
        if delay and after:
            time.sleep(delay)
        return reply


def _handler(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                reply = fake.dispatch(self.command, self.path, headers, body)
            except BrokenPipeError:
                return
            data = b""
            if reply.body is not None:
                data = (
                    reply.body.encode()
                    if isinstance(reply.body, str)
                    else json.dumps(reply.body).encode()
                )
            self.send_response(reply.status)
            if reply.body is not None:
                ctype = "text/plain" if isinstance(reply.body, str) else "application/json"
                self.send_header("Content-Type", ctype)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with suppress(BrokenPipeError):
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 - http.server's names

    return Handler


@contextmanager
def serve(fake: FakeProvider) -> Iterator[FakeProvider]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def _new(prefix: str, length: int = 20) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


# -- GitLab ------------------------------------------------------------------------------------
@dataclass
class GitLabToken:
    id: int
    value: str
    scopes: list[str]
    family: int
    revoked: bool = False
    expires_at: str | None = "2026-12-31"
    name: str = "ci"


class FakeGitLab(FakeProvider):
    UNAUTHORIZED = Reply(401, {"message": "401 Unauthorized"})

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[GitLabToken] = []

    def rate_limit_body(self) -> Any:
        return "Retry later"  # GitLab's Rack::Attack answers plain text

    def issue(
        self, scopes: tuple[str, ...] = ("api",), expires_at: str | None = "2026-12-31"
    ) -> str:
        token = GitLabToken(
            len(self.tokens) + 1,
            _new("glpat-"),
            list(scopes),
            len(self.tokens) + 1,
            expires_at=expires_at,
        )
        self.tokens.append(token)
        return token.value

    def find(self, value: str | None) -> GitLabToken | None:
        return next((t for t in self.tokens if t.value == value), None)

    def active(self, value: str) -> bool:
        token = self.find(value)
        return token is not None and not token.revoked

    def _json(self, t: GitLabToken, with_token: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": t.id,
            "name": t.name,
            "revoked": t.revoked,
            "created_at": "2026-01-01T00:00:00.000Z",
            "scopes": t.scopes,
            "user_id": 42,
            "last_used_at": None,
            "active": not t.revoked,
            "expires_at": t.expires_at,
        }
        if with_token:
            out["token"] = t.value
        return out

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        token = self.find(headers.get("private-token"))
        if token is None:
            return self.UNAUTHORIZED
        if path == "/api/v4/personal_access_tokens/self" and method == "GET":
            if token.revoked:
                return self.UNAUTHORIZED
            return Reply(200, self._json(token))
        if path == "/api/v4/personal_access_tokens/self/rotate" and method == "POST":
            if token.revoked:
                # Reuse of a revoked token revokes every token of its family.
                for t in self.tokens:
                    if t.family == token.family:
                        t.revoked = True
                return self.UNAUTHORIZED
            if not {"api", "self_rotate"} & set(token.scopes):
                return Reply(
                    403,
                    {
                        "error": "insufficient_scope",
                        "error_description": "The request requires higher privileges.",
                    },
                )
            token.revoked = True
            expires = (body or {}).get("expires_at") if isinstance(body, dict) else None
            new = GitLabToken(
                len(self.tokens) + 1,
                _new("glpat-"),
                list(token.scopes),
                token.family,
                expires_at=expires or "2027-01-07",
                name=token.name,
            )
            self.tokens.append(new)
            return Reply(200, self._json(new, with_token=True))
        if path == "/api/v4/personal_access_tokens/self" and method == "DELETE":
            if token.revoked:
                return self.UNAUTHORIZED
            token.revoked = True
            return Reply(204)
        return Reply(404, {"error": "404 Not Found"})


# -- Cloudflare --------------------------------------------------------------------------------
def _cf(
    result: Any,
    success: bool = True,
    errors: list[dict[str, Any]] | None = None,
    messages: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "success": success,
        "errors": errors or [],
        "messages": messages or [],
        "result": result,
    }


class FakeCloudflare(FakeProvider):
    INVALID = Reply(401, _cf(None, False, [{"code": 1000, "message": "Invalid API Token"}]))

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}  # value -> token id
        self.meta: dict[str, dict[str, Any]] = {}

    def rate_limit_body(self) -> Any:
        return _cf(
            None,
            False,
            [{"code": 971, "message": "Please wait and consider throttling your request speed"}],
        )

    def issue(self, cidrs: tuple[str, ...] = ()) -> str:
        token_id = secrets.token_hex(16)
        value = _new("cfut_", 40)
        self.values[value] = token_id
        self.meta[token_id] = {"cidrs": list(cidrs)}
        return value

    def active(self, value: str) -> bool:
        return value in self.values

    def _auth(self, headers: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        return self.values.get(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        token_id = self._auth(headers)
        if token_id is None:
            return self.INVALID
        if path == "/client/v4/user/tokens/verify" and method == "GET":
            return Reply(
                200,
                _cf(
                    {"id": token_id, "status": "active", "expires_on": "2026-12-31T00:00:00Z"},
                    messages=[{"code": 10000, "message": "This API Token is valid and active"}],
                ),
            )
        if path == f"/client/v4/user/tokens/{token_id}" and method == "GET":
            return Reply(
                200,
                _cf(
                    {
                        "id": token_id,
                        "name": "deploy",
                        "status": "active",
                        "policies": [
                            {
                                "id": "p1",
                                "effect": "allow",
                                "permission_groups": [{"id": "g1", "name": "Zone Read"}],
                                "resources": {"com.cloudflare.api.account.zone.*": "*"},
                            }
                        ],
                        "condition": {
                            "request_ip": {"in": self.meta[token_id]["cidrs"], "not_in": []}
                        },
                    }
                ),
            )
        if path == f"/client/v4/user/tokens/{token_id}/value" and method == "PUT":
            for value, tid in list(self.values.items()):
                if tid == token_id:
                    del self.values[value]
            new = _new("cfut_", 40)
            self.values[new] = token_id
            return Reply(200, _cf(new))
        return Reply(
            404, _cf(None, False, [{"code": 7003, "message": "Could not route to " + path}])
        )


# -- HashiCorp Vault ---------------------------------------------------------------------------
class FakeVault(FakeProvider):
    DENIED = Reply(403, {"errors": ["permission denied"]})

    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[str, dict[str, Any]] = {}
        self.revoked: set[str] = set()

    def rate_limit_body(self) -> Any:
        return {"errors": ['request path "auth/token/create": rate limit quota exceeded']}

    def issue(self, policies: tuple[str, ...] = ("default", "deploy")) -> str:
        value = _new("hvs.", 90)
        self.tokens[value] = {
            "policies": list(policies),
            "accessor": secrets.token_hex(8),
            "creation_ttl": 2764800,
            "renewable": True,
            "display_name": "token-ci",
        }
        return value

    def active(self, value: str) -> bool:
        return value in self.tokens

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        value = headers.get("x-vault-token", "")
        data = self.tokens.get(value)
        if data is None:
            return self.DENIED
        if path == "/v1/auth/token/lookup-self" and method == "GET":
            return Reply(
                200,
                {
                    "data": {
                        **data,
                        "ttl": 2764000,
                        "expire_time": "2026-02-02T00:00:00Z",
                        "explicit_max_ttl": 0,
                        "num_uses": 0,
                        "id": value,
                    }
                },
            )
        if path == "/v1/auth/token/create" and method == "POST":
            new = self.issue(tuple((body or {}).get("policies") or data["policies"]))
            return Reply(
                200,
                {
                    "auth": {
                        "client_token": new,
                        "accessor": self.tokens[new]["accessor"],
                        "policies": self.tokens[new]["policies"],
                        "lease_duration": 2764800,
                        "renewable": True,
                    }
                },
            )
        if path == "/v1/auth/token/revoke-self" and method == "POST":
            del self.tokens[value]
            self.revoked.add(value)
            return Reply(204)
        if path == "/v1/auth/token/renew-self" and method == "POST":
            return Reply(
                200, {"auth": {"client_token": value, "lease_duration": 2764800, "renewable": True}}
            )
        return Reply(404, {"errors": []})


# -- npm ---------------------------------------------------------------------------------------
class FakeNpm(FakeProvider):
    PASSWORD = "npm-account-password"

    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[str, dict[str, Any]] = {}

    def issue(self, readonly: bool = False, cidrs: tuple[str, ...] = ()) -> str:
        value = _new("npm_", 36)
        self.tokens[value] = {
            "key": hashlib.sha512(value.encode()).hexdigest(),
            "readonly": readonly,
            "cidr_whitelist": list(cidrs),
            "created": "2026-01-01T00:00:00.000Z",
            "updated": "2026-01-01T00:00:00.000Z",
        }
        return value

    def active(self, value: str) -> bool:
        return value in self.tokens

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        auth = headers.get("authorization", "")
        value = auth.removeprefix("Bearer ")
        if value not in self.tokens:
            return Reply(401, {"error": "You must be logged in to list tokens"})
        if path == "/-/npm/v1/tokens" and method == "GET":
            objects = [{**t, "token": v[:6] + "…"} for v, t in self.tokens.items()]
            return Reply(200, {"objects": objects, "total": len(objects), "urls": {}})
        if path == "/-/npm/v1/tokens" and method == "POST":
            if not isinstance(body, dict) or body.get("password") != self.PASSWORD:
                return Reply(401, {"error": "invalid password"})
            new = self.issue(bool(body.get("readonly")), tuple(body.get("cidr_whitelist") or ()))
            return Reply(200, {**self.tokens[new], "token": new})
        if path.startswith("/-/npm/v1/tokens/token/") and method == "DELETE":
            key = path.rsplit("/", 1)[-1]
            for v, t in list(self.tokens.items()):
                if t["key"] == key:
                    del self.tokens[v]
                    return Reply(204)
            return Reply(404, {"error": "not found"})
        return Reply(404, {"error": "not found"})


# -- GitHub ------------------------------------------------------------------------------------
class FakeGitHub(FakeProvider):
    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[str, dict[str, Any]] = {}

    def issue(self, login: str = "octocat", scopes: str = "repo, read:org") -> str:
        value = _new("ghp_", 36)
        self.tokens[value] = {"login": login, "scopes": scopes}
        return value

    def active(self, value: str) -> bool:
        return value in self.tokens

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        value = headers.get("authorization", "").removeprefix("Bearer ")
        token = self.tokens.get(value)
        if token is None:
            return Reply(
                401,
                {
                    "message": "Bad credentials",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "401",
                },
            )
        if path == "/user" and method == "GET":
            return Reply(
                200,
                {"login": token["login"], "id": 1},
                {
                    "X-OAuth-Scopes": token["scopes"],
                    "GitHub-Authentication-Token-Expiration": "2026-06-01 00:00:00 UTC",
                },
            )
        return Reply(404, {"message": "Not Found"})


Factory = Callable[[], FakeProvider]
