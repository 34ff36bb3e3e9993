"""Whole-process CLI timings on a 10,000-token vault, side by side with ``keepassxc-cli``.

Builds a vault in a temporary folder by ``vault-app import`` of a generated JSON file (10,000
realistic tokens ``TOKEN_00001``.. spread over ``dev``/``staging``/``prod``, from a dozen
providers, some with scopes, CIDRs and an expiry), then times ``list --json``, ``show --reveal``,
``add`` and ``import`` as whole processes (``python -m vault_app``, run from this checkout).
Every vault command unlocks with ``VAULT_APP_PASSPHRASE`` and ``--no-keyring``, so each one pays
the Argon2id KDF (64 MiB, 3 passes, 4 lanes); that cost is reported on its own as ``kdf_ms``,
timed in-process with ``cryptography``'s Argon2id and the same parameters.

Where ``keepassxc-cli`` is installed it builds a 10,000-entry database from a generated KeePass
XML file (``keepassxc-cli import``, which creates the database like ``db-create`` does and takes
the same ``--decryption-time``; the target is set to the measured ``kdf_ms`` so both tools pay a
comparable KDF per command; the KDF KeePassXC chose is recorded), then times ``ls``, ``show -s``
and ``add -p`` (passwords on stdin). Ratios are vault / KeePassXC; the target is <= 0.5 for
``list``, ``show`` and ``add``.

Each figure is the median of ``--runs`` runs (7; ``--quick``: 1,000 tokens, 3 runs) after one
warm-up run whose output is checked; vault and KeePassXC runs are interleaved so that drift on
the machine hits both. Human-readable lines first, then (last line) one JSON object::

    {"tokens": 10000, "runs": 7, "commit": "abc1234+dirty", "kdf_ms": .., "python_startup_ms": ..,
     "vault": {"list_ms", "show_reveal_ms", "add_ms", "import_10k_ms", "version_ms",
               "empty_list_ms", "list_after_edit_ms", "list_rebuild_ms"},
     "keepassxc": {"version", "decryption_time_ms", "kdf", "ls_ms", "show_ms", "add_ms",
                   "import_xml_ms", "empty_ls_ms"} | null,
     "ratios": {"list", "show", "add"} | null, "targets_met": {"list", "show", "add"} | null}

``import_10k_ms`` is the import of the whole generated file (``tokens`` tokens) into a fresh
vault; ``version_ms`` is ``vault-app --version`` (interpreter plus the CLI's own import floor);
``empty_list_ms`` / ``empty_ls_ms`` list an empty vault / an empty ``db-create`` database with
the same KDF: each tool's fixed cost per command, so that ``list_ms - empty_list_ms`` is what
10,000 tokens cost; ``list`` keeps each record's listing form in the vault (built by the warm-up
run), so ``list_after_edit_ms`` and ``list_rebuild_ms`` time the first list after one record
changed and after the policy changed (every form rebuilt);
``import_xml_ms`` is a single run (it builds the database). Child processes cache bytecode in
the temporary folder (as an installed package has its ``.pyc`` files), whatever
``PYTHONDONTWRITEBYTECODE`` says. On a busy machine KeePassXC's own KDF calibration drifts with
the load; ``--decryption-time MS`` fixes it. Run:
``python benchmarks/cli.py [--runs N] [--quick] [--tokens N] [--no-keepassxc]
[--decryption-time MS]``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
PASSPHRASE = "benchmark passphrase, not a secret"
ENVS = ("dev", "staging", "prod")
TARGET_RATIO = 0.5

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
URLSAFE = ALNUM + "_-"
LOWER_HEX = "0123456789abcdef"
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"


# -- realistic tokens -----------------------------------------------------------------------


class Tokens:
    """Deterministic, unique, well-formed tokens in the providers' published shapes."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def rand(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choices(alphabet, k=n))

    def crc_prefixed(self, prefix: str) -> str:
        """GitHub/npm: 30 random base62 characters, then their CRC32 in base62 (6 chars)."""
        body = self.rand(ALNUM, 30)
        crc, digits = zlib.crc32(body.encode()), ""
        while crc:
            crc, rest = divmod(crc, 62)
            digits = BASE62[rest] + digits
        return prefix + body + digits.rjust(6, "0")

    def jwt(self, now: datetime) -> str:
        def part(obj: dict[str, Any]) -> str:
            raw = json.dumps(obj, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).decode().rstrip("=")

        claims = {
            "iss": "https://auth.example.com/",
            "sub": f"svc-{self.rand(LOWER_HEX, 8)}",
            "aud": "https://api.example.com",
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(days=self.rng.randint(30, 365))).timestamp()),
            "scope": " ".join(self.rng.sample(["read:data", "write:data", "admin", "deploy"], 2)),
        }
        head = part({"alg": "HS256", "typ": "JWT"}) + "." + part(claims)
        mac = hmac.new(self.rand(ALNUM, 32).encode(), head.encode(), hashlib.sha256).digest()
        return head + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def one(self, now: datetime) -> tuple[str, str]:
        """(provider id, value): one token of a randomly chosen provider format."""
        r, choice = self.rand, self.rng.randrange(14)
        if choice == 0:
            return "github", self.crc_prefixed("ghp_")
        if choice == 1:
            return "github", "github_pat_" + r(ALNUM, 22) + "_" + r(ALNUM, 59)
        if choice == 2:
            return "gitlab", "glpat-" + r(URLSAFE, 20)
        if choice == 3:
            key = self.rng.choice(["sk_live_", "sk_test_", "rk_live_"])
            return "stripe", key + r(ALNUM, 99)
        if choice == 4:
            return "aws", "AKIA" + r(BASE32, 16)
        if choice == 5:
            return "openai", "sk-proj-" + r(URLSAFE, 74) + "T3BlbkFJ" + r(URLSAFE, 74)
        if choice == 6:
            return "anthropic", "sk-ant-api03-" + r(URLSAFE, 93) + "AA"
        if choice == 7:
            return "npm", self.crc_prefixed("npm_")
        if choice == 8:
            return "slack", f"xoxb-{r(DIGITS, 11)}-{r(DIGITS, 13)}-{r(ALNUM, 24)}"
        if choice == 9:
            return "vault", "hvs." + r(URLSAFE, 95)
        if choice == 10:
            return "google", "AIza" + r(URLSAFE, 35)
        if choice == 11:
            return "huggingface", "hf_" + r(LETTERS, 34)
        if choice == 12:
            return "sendgrid", "SG." + r(URLSAFE, 22) + "." + r(URLSAFE, 43)
        return "jwt", self.jwt(now)


_SCOPES = {
    "github": ["repo", "read:org", "workflow", "read:packages", "gist"],
    "gitlab": ["api", "read_repository", "write_repository", "read_registry"],
    "slack": ["chat:write", "channels:read", "users:read"],
    "google": ["maps", "places", "geocoding"],
    "huggingface": ["read", "write", "inference"],
}
_TEAMS = ["payments", "platform", "search", "infra", "mobile", "data", "growth"]


def token_objects(count: int, now: datetime, seed: int = 10_000) -> list[dict[str, Any]]:
    """The import file: ``count`` token objects in the ``list --json`` shape plus ``value``."""
    gen = Tokens(seed)
    rng = gen.rng
    out = []
    for i in range(1, count + 1):
        provider, value = gen.one(now)
        obj: dict[str, Any] = {
            "name": f"TOKEN_{i:05d}",
            "env": ENVS[i % len(ENVS)],
            "value": value,
            "tags": [rng.choice(_TEAMS)],
        }
        if provider in _SCOPES and rng.random() < 0.6:
            obj["scopes"] = rng.sample(_SCOPES[provider], 2)
        if rng.random() < 0.2:
            obj["cidrs"] = [f"10.{rng.randrange(256)}.0.0/16", f"203.0.113.{rng.randrange(256)}/32"]
        if provider != "jwt" and rng.random() < 0.4:
            expires = now + timedelta(days=rng.randint(3, 400))
            obj["expires_at"] = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        if rng.random() < 0.1:
            obj["notes"] = f"owner: {rng.choice(_TEAMS)} on-call"
        out.append(obj)
    return out


def _uuid(rng: random.Random) -> str:
    return base64.b64encode(rng.randbytes(16)).decode()


def keepass_xml(objs: Sequence[dict[str, Any]], now: datetime) -> str:
    """The same tokens as a KeePass 2 XML file: one entry each, all in the root group.

    Title is the name, UserName the environment, Password the value, Notes the scopes and
    CIDRs, Tags the tags and environment, and an expiry where the token has one.
    """
    rng = random.Random(1)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")

    def times(expiry: str | None) -> str:
        return (
            f"<Times><LastModificationTime>{stamp}</LastModificationTime>"
            f"<CreationTime>{stamp}</CreationTime><LastAccessTime>{stamp}</LastAccessTime>"
            f"<ExpiryTime>{expiry or stamp}</ExpiryTime>"
            f"<Expires>{'True' if expiry else 'False'}</Expires>"
            f"<UsageCount>0</UsageCount><LocationChanged>{stamp}</LocationChanged></Times>"
        )

    def string(key: str, value: str, protect: bool = False) -> str:
        attr = ' ProtectInMemory="True"' if protect else ""
        return f"<String><Key>{key}</Key><Value{attr}>{escape(value)}</Value></String>"

    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<KeePassFile><Meta>'
        "<Generator>vault-app benchmark</Generator><DatabaseName>bench</DatabaseName>"
        "<MemoryProtection><ProtectTitle>False</ProtectTitle><ProtectUserName>False"
        "</ProtectUserName><ProtectPassword>True</ProtectPassword><ProtectURL>False</ProtectURL>"
        "<ProtectNotes>False</ProtectNotes></MemoryProtection><RecycleBinEnabled>False"
        "</RecycleBinEnabled></Meta><Root>"
        f"<Group><UUID>{_uuid(rng)}</UUID><Name>Root</Name>{times(None)}"
    ]
    for obj in objs:
        notes = "\n".join(
            f"{key}: {', '.join(obj[key])}" for key in ("scopes", "cidrs") if obj.get(key)
        )
        if obj.get("notes"):
            notes += ("\n" if notes else "") + obj["notes"]
        parts.append(
            f"<Entry><UUID>{_uuid(rng)}</UUID><IconID>0</IconID>"
            f"<Tags>{escape(';'.join([*obj['tags'], obj['env']]))}</Tags>"
            f"{times(obj.get('expires_at'))}"
            + string("Title", obj["name"])
            + string("UserName", obj["env"])
            + string("Password", obj["value"], protect=True)
            + string("URL", "")
            + string("Notes", notes)
            + "<AutoType><Enabled>True</Enabled><DataTransferObfuscation>0"
            "</DataTransferObfuscation></AutoType><History/></Entry>"
        )
    parts.append("</Group><DeletedObjects/></Root></KeePassFile>\n")
    return "".join(parts)


# -- timing ---------------------------------------------------------------------------------


class BenchError(RuntimeError):
    pass


def child_env(pycache: Path) -> dict[str, str]:
    """The environment for every timed process.

    Bytecode is cached (in ``pycache``, not in the checkout) even where the caller set
    ``PYTHONDONTWRITEBYTECODE``: an installed package has its ``.pyc`` files, and recompiling
    every module on each run would add tens of milliseconds that no user pays.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_APP_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


ENV: dict[str, str] = dict(os.environ)


def run(
    cmd: Sequence[str], *, stdin: str | None = None, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run one whole process; (wall milliseconds, result). Output is read through pipes."""
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, env=env or ENV, cwd=REPO, check=False
    )
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    return elapsed, proc


Op = Callable[[int], tuple[float, subprocess.CompletedProcess[str]]]
Check = Callable[[subprocess.CompletedProcess[str]], None]


def race(runs: int, sides: dict[str, tuple[Op, Check]]) -> dict[str, float]:
    """Median ms per side; one checked warm-up each, then the sides interleaved run by run."""
    for op, check in sides.values():
        check(op(0)[1])
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(1, runs + 1):
        for name, (op, _) in sides.items():
            samples[name].append(op(i)[0])
    return {name: round(statistics.median(values), 1) for name, values in samples.items()}


def kdf_ms(runs: int) -> float:
    """The vault's unlock KDF (Argon2id, 64 MiB, 3 passes, 4 lanes) timed in this process."""
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    def once() -> float:
        kdf = Argon2id(salt=os.urandom(16), length=32, iterations=3, lanes=4, memory_cost=65536)
        start = time.perf_counter()
        kdf.derive(PASSPHRASE.encode())
        return (time.perf_counter() - start) * 1000

    once()
    return round(statistics.median(once() for _ in range(runs)), 1)


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise BenchError(f"unexpected output: {what}")


# -- the two sides --------------------------------------------------------------------------


class VaultSide:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {**ENV, "VAULT_APP_PASSPHRASE": PASSPHRASE}
        self.adds = Tokens(seed=7)

    def cmd(self, *args: str, home: Path | None = None) -> list[str]:
        # Run from the checkout (cwd=REPO) so that `-m vault_app` measures this tree's code.
        return [
            sys.executable, "-m", "vault_app",
            "--home", str(home or self.home), "--no-keyring", *args,
        ]  # fmt: skip

    def init(self, home: Path | None = None) -> None:
        run(self.cmd("init", "--no-keyring", home=home), env=self.env)

    def import_file(self, path: Path, home: Path | None = None) -> float:
        return run(self.cmd("import", str(path), "--format", "json", home=home), env=self.env)[0]

    def list(
        self, _: int, home: Path | None = None
    ) -> tuple[float, subprocess.CompletedProcess[str]]:
        return run(self.cmd("list", "--json", home=home), env=self.env)

    def show(self, name: str, env_name: str) -> Op:
        return lambda _: run(self.cmd("show", name, "--env", env_name, "--reveal"), env=self.env)

    def add(self, i: int) -> tuple[float, subprocess.CompletedProcess[str]]:
        value = self.adds.crc_prefixed("ghp_")
        return run(self.cmd("add", f"BENCH_ADD_{i:03d}", "--env", "dev"), stdin=value, env=self.env)


class KeePassSide:
    def __init__(self, exe: str, db: Path) -> None:
        self.exe, self.db = exe, db
        self.adds = Tokens(seed=8)

    def build(self, xml: Path, decryption_ms: int) -> float:
        stdin = f"{PASSPHRASE}\n{PASSPHRASE}\n"
        cmd = [self.exe, "import", "-q", "-p", "-t", str(decryption_ms), str(xml), str(self.db)]
        return run(cmd, stdin=stdin)[0]

    def info(self) -> dict[str, str]:
        out = run([self.exe, "db-info", "-q", str(self.db)], stdin=PASSPHRASE + "\n")[1].stdout
        return dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)

    def create_empty(self, db: Path, decryption_ms: int) -> None:
        cmd = [self.exe, "db-create", "-q", "-p", "-t", str(decryption_ms), str(db)]
        run(cmd, stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n")

    def ls(self, _: int, db: Path | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
        return run([self.exe, "ls", "-q", str(db or self.db)], stdin=PASSPHRASE + "\n")

    def show(self, name: str) -> Op:
        cmd = [self.exe, "show", "-q", "-s", str(self.db), name]
        return lambda _: run(cmd, stdin=PASSPHRASE + "\n")

    def add(self, i: int) -> tuple[float, subprocess.CompletedProcess[str]]:
        value = self.adds.crc_prefixed("ghp_")
        cmd = [self.exe, "add", "-q", "-p", str(self.db), f"BENCH_ADD_{i:03d}"]
        return run(cmd, stdin=f"{PASSPHRASE}\n{value}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=None, help="timed runs per figure (7)")
    parser.add_argument("--quick", action="store_true", help="1,000 tokens, 3 runs (smoke test)")
    parser.add_argument("--tokens", type=int, default=None, help="vault size (10,000)")
    parser.add_argument("--no-keepassxc", action="store_true", help="skip the KeePassXC side")
    parser.add_argument(
        "--decryption-time",
        type=int,
        default=None,
        metavar="MS",
        help="keepassxc-cli's KDF target (default: the measured kdf_ms; fix it on a busy machine)",
    )
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 7)
    count = args.tokens or (1_000 if args.quick else 10_000)
    keepassxc = None if args.no_keepassxc else shutil.which("keepassxc-cli")
    with tempfile.TemporaryDirectory(prefix="vault-app-bench-") as tmp:
        ENV.clear()
        ENV.update(child_env(Path(tmp) / "pycache"))
        result = measure(Path(tmp), count, runs, keepassxc, args.decryption_time)
    print(json.dumps(result))
    return 0


def build_vault(vault: VaultSide, root: Path, data: Path, runs: int) -> dict[str, float]:
    """Time ``import`` into fresh vaults (``init`` not timed); keep the warm-up's vault."""
    homes = iter(range(runs + 1))

    def import_once(_: int) -> tuple[float, subprocess.CompletedProcess[str]]:
        home = root / f"import-{next(homes)}"
        vault.init(home)
        return vault.import_file(data, home), subprocess.CompletedProcess([], 0, "", "")

    fig = {"import_10k_ms": race(runs, {"vault": (import_once, _ok)})["vault"]}
    (root / "import-0").rename(vault.home)
    version = race(runs, {"v": (lambda _: run(vault.cmd("--version"), env=vault.env), _ok)})
    fig["version_ms"] = version["v"]
    return fig


def build_keepassxc(
    kp: KeePassSide, root: Path, objs: Sequence[dict[str, Any]], now: datetime, kdf_ms: int
) -> dict[str, Any]:
    """Import the same tokens from KeePass XML, with a KDF tuned to ``kdf_ms`` per unlock."""
    xml = root / "tokens.xml"
    xml.write_text(keepass_xml(objs, now))
    fig: dict[str, Any] = {"import_xml_ms": round(kp.build(xml, kdf_ms), 1)}
    info = kp.info()
    expect(info.get("Number of entries") == str(len(objs)), f"db-info says {info}")
    version = run([kp.exe, "--version"])[1].stdout.strip()
    fig.update(version=version, decryption_time_ms=kdf_ms, kdf=info["KDF"])
    print(f"keepassxc-cli {version}: KDF {info['KDF']} for {kdf_ms} ms", flush=True)
    return fig


def fixed_costs(
    vault: VaultSide,
    kp: KeePassSide | None,
    root: Path,
    runs: int,
    vault_fig: dict[str, float],
    kp_fig: dict[str, Any] | None,
) -> None:
    """The fixed cost of one command (process, imports, KDF, opening): list an empty store."""
    empty_vault = root / "empty-vault"
    vault.init(empty_vault)
    sides: dict[str, tuple[Op, Check]] = {"vault": (lambda i: vault.list(i, empty_vault), _ok)}
    if kp is not None and kp_fig is not None:
        empty_db = root / "empty.kdbx"
        kp.create_empty(empty_db, kp_fig["decryption_time_ms"])
        sides["keepassxc"] = (lambda i: kp.ls(i, empty_db), _ok)
    got = race(runs, sides)
    vault_fig["empty_list_ms"] = got["vault"]
    line = f"empty vault-app {got['vault']:8.1f} ms"
    if kp_fig is not None:
        kp_fig["empty_ls_ms"] = got["keepassxc"]
        line += f"   keepassxc-cli {got['keepassxc']:8.1f} ms  (fixed cost per command)"
    print(line, flush=True)


def measure(
    root: Path, count: int, runs: int, keepassxc: str | None, decryption_ms: int | None
) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    kdf = kdf_ms(runs)
    print(f"Argon2id (64 MiB, t=3, p=4) in-process: {kdf} ms", flush=True)
    startup = race(runs, {"python": (lambda _: run([sys.executable, "-c", "pass"]), _ok)})
    print(f"python -c pass: {startup['python']} ms", flush=True)

    objs = token_objects(count, now)
    data = root / "tokens.json"
    data.write_text(json.dumps(objs))
    vault = VaultSide(root / "vault")

    vault_fig = build_vault(vault, root, data, runs)
    print(f"vault-app import of {count} tokens: {vault_fig['import_10k_ms']} ms", flush=True)
    kp: KeePassSide | None = None
    kp_fig: dict[str, Any] | None = None
    if keepassxc:
        kp = KeePassSide(keepassxc, root / "bench.kdbx")
        kp_fig = build_keepassxc(kp, root, objs, now, decryption_ms or max(1, round(kdf)))

    def vault_list_ok(proc: subprocess.CompletedProcess[str]) -> None:
        listed = json.loads(proc.stdout)
        expect(len(listed) == count, f"list --json gave {len(listed)} tokens")

    def kp_ls_ok(proc: subprocess.CompletedProcess[str]) -> None:
        lines = proc.stdout.splitlines()
        expect(len(lines) == count, f"ls gave {len(lines)} lines")

    fixed_costs(vault, kp, root, runs, vault_fig, kp_fig)

    target = objs[count // 2]  # show a token in the middle

    def has_secret(proc: subprocess.CompletedProcess[str]) -> None:
        expect(target["value"] in proc.stdout, "show did not print the value")

    # (label, vault key, vault op, check, keepassxc key, keepassxc op, check); add goes last
    # because it changes both stores (a fresh name each run).
    ops: list[tuple[str, str, Op, Check, str, Op | None, Check]] = [
        ("list", "list_ms", vault.list, vault_list_ok, "ls_ms", kp.ls if kp else None, kp_ls_ok),
        (
            "show", "show_reveal_ms", vault.show(target["name"], target["env"]), has_secret,
            "show_ms", kp.show(target["name"]) if kp else None, has_secret,
        ),
        ("add", "add_ms", vault.add, _ok, "add_ms", kp.add if kp else None, _ok),
    ]  # fmt: skip
    ratios: dict[str, float] | None = {} if kp_fig is not None else None
    targets: dict[str, bool] | None = {} if kp_fig is not None else None
    for label, key, op, check, kp_key, kp_op, kp_check in ops:
        sides: dict[str, tuple[Op, Check]] = {"vault": (op, check)}
        if kp_op is not None:
            sides["keepassxc"] = (kp_op, kp_check)
        got = race(runs, sides)
        vault_fig[key] = got["vault"]
        line = f"{label:5} vault-app {got['vault']:8.1f} ms"
        if kp_fig is not None and ratios is not None and targets is not None:
            kp_fig[kp_key] = got["keepassxc"]
            ratios[label] = round(got["vault"] / got["keepassxc"], 3)
            targets[label] = ratios[label] <= TARGET_RATIO
            line += f"   keepassxc-cli {got['keepassxc']:8.1f} ms   ratio {ratios[label]:.2f}"
            line += "  (target met)" if targets[label] else f"  (target <= {TARGET_RATIO}: MISSED)"
        print(line, flush=True)

    def vault_list_grown(proc: subprocess.CompletedProcess[str]) -> None:
        listed = json.loads(proc.stdout)  # the timed adds above are in it too
        expect(len(listed) >= count, f"list --json gave {len(listed)} tokens")

    list_after_changes(vault, objs, runs, vault_fig, vault_list_grown)
    return {
        "tokens": count,
        "runs": runs,
        "commit": _commit(),
        "kdf_ms": kdf,
        "python_startup_ms": startup["python"],
        "vault": vault_fig,
        "keepassxc": kp_fig,
        "ratios": ratios,
        "targets_met": targets,
    }


def list_after_changes(
    vault: VaultSide,
    objs: Sequence[dict[str, Any]],
    runs: int,
    fig: dict[str, float],
    check: Check,
) -> None:
    """``list`` keeps each record's listing form; these are the lists that cannot use all of it.

    ``list_after_edit_ms``: the first list after one record was edited (its form is rebuilt).
    ``list_rebuild_ms``: the first list after the policy changed (every form is rebuilt).
    The edit and the policy change are not timed.
    """
    token = objs[1]

    def after_edit(i: int) -> tuple[float, subprocess.CompletedProcess[str]]:
        edit = vault.cmd("edit", token["name"], "--env", token["env"], "--note", f"bench {i}")
        run(edit, env=vault.env)
        return vault.list(i)

    def after_policy(i: int) -> tuple[float, subprocess.CompletedProcess[str]]:
        run(vault.cmd("config", "expiring_soon_days", str(7 + (i + 1) % 2)), env=vault.env)
        return vault.list(i)

    for label, key, op in (
        ("list after one edit", "list_after_edit_ms", after_edit),
        ("list after a policy change (all rebuilt)", "list_rebuild_ms", after_policy),
    ):
        fig[key] = race(runs, {"vault": (op, check)})["vault"]
        print(f"{label:41} vault-app {fig[key]:8.1f} ms", flush=True)


def _commit() -> str | None:
    """The checkout measured: HEAD, with ``+dirty`` when vault_app/ has local changes."""
    try:
        head = run(["git", "rev-parse", "--short", "HEAD"])[1].stdout.strip()
        dirty = run(["git", "status", "--porcelain", "--", "vault_app"])[1].stdout.strip()
    except (BenchError, OSError):
        return None
    return head + ("+dirty" if dirty else "")


def _ok(_: subprocess.CompletedProcess[str]) -> None:
    """No output to check (the exit status already was)."""


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BenchError as exc:
        print(f"benchmarks/cli.py: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
