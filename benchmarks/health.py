"""Health report and leak scan speed: prints one JSON object (last line).

- ``health_report_ms``: evaluate_health over 10,000 records in-process (median of runs).
- ``reused_map_ms``: grouping 10,000 records by fingerprint.
- ``scan_10k_files_ms``: the scan matcher over a generated tree of 10,000 source files with
  10,000 vault values and 20 planted leaks (file reading included, decryption not).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import string
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vault_app.core.health import evaluate_health, reused_map
from vault_app.core.leakscan import ValueMatcher
from vault_app.core.model import Constraints, RecordRef, TokenId, TokenRecord
from vault_app.core.policy import Policy

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ENVS = ("dev", "staging", "prod")


def records(n: int, rng: random.Random) -> list[TokenRecord]:
    out = []
    for i in range(n):
        env = ENVS[i % 3]
        expires = None if i % 7 == 0 else NOW + timedelta(days=rng.randint(-30, 400))
        scopes = ("repo",) if i % 11 == 0 else ("read:packages",)
        # Every 50th record shares its value with the next one: realistic pairs, not one huge group.
        fingerprint = f"shared-{i // 50}" if i % 50 in (0, 1) else f"{rng.getrandbits(128):032x}"
        out.append(TokenRecord(
            id=TokenId(f"id-{i}"), name=f"TOKEN_{i:05d}", env=env, provider="github",
            kind="classic-pat", fingerprint=fingerprint,
            created_at=NOW - timedelta(days=rng.randint(1, 400)),
            updated_at=NOW, expires_at=expires,
            constraints=Constraints(scopes=scopes, cidrs=("10.0.0.0/8",) if i % 2 else ()),
        ))
    return out


def median_ms(func, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def scan_tree(root: Path, files: int, rng: random.Random) -> dict[bytes, list[RecordRef]]:
    alphabet = string.ascii_letters + string.digits
    values = {
        ("ghp_" + "".join(rng.choice(alphabet) for _ in range(36))).encode(): [RecordRef(f"T{i}", "dev")]
        for i in range(10_000)
    }
    planted = rng.sample(sorted(values), 20)
    line = "    result = compute_something(alpha, beta_value, gamma)  # adjust the threshold here\n"
    body = line * 60
    for i in range(files):
        folder = root / f"pkg{i // 100}"
        folder.mkdir(exist_ok=True)
        text = body
        if i % 500 == 0 and planted:
            text += f"TOKEN = '{planted.pop().decode()}'\n"
        (folder / f"module_{i}.py").write_text(text)
    return values


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(1)
    recs = records(args.tokens, rng)
    policy = Policy()
    report = evaluate_health(recs, policy, NOW)
    figures: dict[str, object] = {
        "tokens": args.tokens,
        "findings": len(report.findings),
        "health_report_ms": median_ms(lambda: evaluate_health(recs, policy, NOW), args.runs),
        "reused_map_ms": median_ms(lambda: reused_map(recs), args.runs),
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        values = scan_tree(root, args.files, rng)
        start = time.perf_counter()
        matcher = ValueMatcher(values)
        figures["scan_matcher_build_ms"] = round((time.perf_counter() - start) * 1000, 2)
        start = time.perf_counter()
        hits = 0
        size = 0
        for folder, _dirs, names in os.walk(root):
            for name in names:
                data = Path(folder, name).read_bytes()
                size += len(data)
                hits += sum(1 for _ in matcher.find(data))
        figures["scan_10k_files_ms"] = round((time.perf_counter() - start) * 1000, 1)
        figures["scan_files"] = args.files
        figures["scan_mb"] = round(size / 1e6, 1)
        figures["scan_hits"] = hits
    figures["targets_met"] = {"health_report_under_100ms": figures["health_report_ms"] < 100}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
