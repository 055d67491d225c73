"""The fault suite: real bot processes on one PostgreSQL under traffic while something breaks, and what
became of every event: sent, stored, answered, lost (target 0), doubled (target 0).

    python -m benchmarks.faults [--scenario kill|postgres|reload|all] [--customers 60] [--per-customer 10]
                                [--processes 2]

Scenarios (each on a fresh scratch database, the same seeded traffic: customers write side by side,
each message to a random process, 10% delivered twice to two processes):
- kill: `kill -9` of one process a third of the way in; its deliveries fail and the platform sends them
  to another process (as Slack or a queue re-delivers); a replacement process starts. What the dead
  process had written but not sent is sent by the others once its lease runs out.
- postgres: the PostgreSQL server is restarted a third of the way in (`pg_ctlcluster … restart`): every
  process loses its connections; events in flight are retried by the core until the server is back.
- reload: a knowledge-base article is broken and `/kb reload` sent, then the model directory is broken
  and `/model reload` sent: both are refused, the old ones keep serving, and traffic goes on.
Platform 5xx/429 bursts run on the fake Slack and Discord servers, through the real SDKs:
`python -m benchmarks.slack_load --bursts 8` and `python -m benchmarks.discord_load --bursts 8`.

Results: benchmarks/results/faults.json (and BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.cluster import Cluster, Collector, check, client, customer_messages, drive, settle
from benchmarks.common import scratch_postgres, write_result
from bot.config import load_settings
from bot.storage import open_database

Fault = Callable[[Cluster], Awaitable[dict[str, Any]]]


async def kill_one(cluster: Cluster) -> dict[str, Any]:
    started = time.monotonic()
    cluster.kill(0)
    await asyncio.to_thread(cluster.replace, 0)
    return {"killed": "worker 0 (SIGKILL)", "replacement_ready_s": round(time.monotonic() - started, 1)}


async def restart_postgres(cluster: Cluster) -> dict[str, Any]:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    started = time.monotonic()
    await asyncio.to_thread(
        subprocess.run, ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )
    return {"restarted": f"PostgreSQL {version}", "restart_s": round(time.monotonic() - started, 1)}


def broken_reloads(kb_dir: Path, model_dir: Path) -> Fault:
    async def fault(cluster: Cluster) -> dict[str, Any]:
        article = sorted(kb_dir.glob("*.md"))[0]
        article.write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
        answers = {"kb": await _command(cluster, "kb", "reload")}
        weights = next(model_dir.glob("**/*.safetensors"))
        weights.write_bytes(b"not a model")
        answers["model"] = await _command(cluster, "model", "reload")
        return {"answers": answers}

    return fault


async def _command(cluster: Cluster, name: str, text: str) -> str:
    collector_before = len(COLLECTOR.received)
    body = {"kind": "command", "id": f"fault-{name}-{time.monotonic_ns()}", "user": "root", "name": name, "text": text}
    async with client() as http:
        await cluster.post(http, 0, body)
    replies = [r for r in COLLECTOR.received[collector_before:] if r.get("__type__") == "CommandResponse"]
    return str(replies[-1]["text"]) if replies else "(no answer)"


COLLECTOR = Collector()


async def scenario(name: str, fault: Fault, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    written = customer_messages(args.customers, args.per_customer, seed=args.seed)
    total = args.customers * args.per_customer
    COLLECTOR.received.clear()
    with scratch_postgres("supportbot_faults") as url:
        engine = open_database(url)
        cluster = Cluster(url, COLLECTOR.url, env={"SUPPORTBOT_ADMIN_IDS": "web:root", **env})
        await asyncio.to_thread(cluster.prepare)
        await asyncio.to_thread(cluster.start, args.processes)
        details: dict[str, Any] = {}

        async def run_fault() -> None:
            details.update(await fault(cluster))

        started = time.monotonic()
        try:
            times = await drive(cluster, written, 0.1, args.seed, retry_for=120, fault_at=total // 3, fault=run_fault)
            await settle(engine, seconds=120)
        finally:
            cluster.stop()
        tally = check(engine, written, COLLECTOR)
        engine.dispose()
    times.sort()
    return {
        "scenario": name,
        **details,
        **tally.as_dict(),
        "wall_s": round(time.monotonic() - started, 1),
        "reply_p50_s": round(times[len(times) // 2], 3) if times else None,
        "reply_max_s": round(times[-1], 3) if times else None,
    }


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    await COLLECTOR.start()
    settings = load_settings()
    results = []
    try:
        for name in ["kill", "postgres", "reload"] if args.scenario == "all" else [args.scenario]:
            print(f"fault scenario: {name} …", flush=True)
            if name == "reload":
                with tempfile.TemporaryDirectory() as scratch:
                    kb, model = Path(scratch) / "kb", Path(scratch) / "model"
                    shutil.copytree(settings.kb_dir, kb)
                    shutil.copytree(settings.model_dir, model)
                    env = {"SUPPORTBOT_KB_DIR": str(kb), "SUPPORTBOT_MODEL_DIR": str(model)}
                    results.append(await scenario(name, broken_reloads(kb, model), args, env))
            else:
                results.append(await scenario(name, kill_one if name == "kill" else restart_postgres, args, {}))
            print({k: v for k, v in results[-1].items() if k != "answers"}, flush=True)
    finally:
        await COLLECTOR.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=("kill", "postgres", "reload", "all"), default="all")
    parser.add_argument("--customers", type=int, default=60)
    parser.add_argument("--per-customer", type=int, default=10)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    results = asyncio.run(main_async(args))
    path = write_result("faults", {"command": "python -m benchmarks.faults " + " ".join(_argv()), "scenarios": results})
    print(f"→ {path}")


def _argv() -> list[str]:
    import sys

    return sys.argv[1:]


if __name__ == "__main__":
    main()
