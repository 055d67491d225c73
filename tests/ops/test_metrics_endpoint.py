"""/metrics after a short conversation: every message counted once, every decision by its path, the
escalation by its trigger, stages timed, sends counted, and the model and knowledge base named."""

from __future__ import annotations

import re

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.ops_server import OpsServer
from bot.readiness import standard_checks
from bot.versions import kb_version
from tests.core.conftest import BotFactory
from tests.core.harness import SAM, Harness


def scrape(chat: Harness) -> tuple[str, dict[tuple[str, tuple[tuple[str, str], ...]], float], int, dict[str, object]]:
    """Start the ops port on the harness's loop; return the /metrics text, its samples and /readyz."""

    async def fetch() -> tuple[str, str, int, dict[str, object]]:
        server = OpsServer(chat.bot, standard_checks(chat.bot))
        port = await server.start("127.0.0.1", 0)
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                    text, content_type = await response.text(), response.headers["Content-Type"]
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    return text, content_type, response.status, await response.json()
        finally:
            await server.stop()

    text, content_type, ready_status, ready = chat.loop.run_until_complete(fetch())
    assert content_type.startswith("text/plain; version=")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples, ready_status, ready


def total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(value for (sample, found), value in samples.items() if sample == name and wanted <= set(found))


def test_metrics_after_a_short_conversation(chat: Harness) -> None:
    chat.say("how do I export a project to csv")
    chat.say("hi there")
    ticket_id = chat.escalate()  # "I want to speak to a human about my account"
    chat.press("Claim", who=SAM)
    chat.say("thanks, it is about the owner role")  # relayed to the agent: no bot decision
    assert ticket_id

    text, samples, ready_status, ready = scrape(chat)
    assert total(samples, "supportbot_messages_received_total", platform="test") == 4
    assert total(samples, "supportbot_decisions_total") == 4
    assert total(samples, "supportbot_decisions_total", path="handed_off") == 1
    assert total(samples, "supportbot_decisions_total", path="relayed") == 1
    assert total(samples, "supportbot_decisions_total", path="answered") >= 1
    assert total(samples, "supportbot_escalations_total") >= 1  # the triggers that fired on the handoff

    assert total(samples, "supportbot_stage_seconds_count", stage="classify") == 3  # the relayed message is not classified
    assert total(samples, "supportbot_stage_seconds_count", stage="retrieve") >= 1
    assert total(samples, "supportbot_stage_seconds_count", stage="store") >= 4
    assert total(samples, "supportbot_stage_seconds_count", stage="send") == len(chat.sent)
    for stage in ("classify", "retrieve", "store", "send"):
        seconds = total(samples, "supportbot_stage_seconds_sum", stage=stage)
        assert 0 < seconds < 120, (stage, seconds)
        assert total(samples, "supportbot_stage_seconds_bucket", stage=stage, le="+Inf") == total(
            samples, "supportbot_stage_seconds_count", stage=stage
        )
    assert total(samples, "supportbot_lock_wait_seconds_count") >= 5
    assert 0 <= total(samples, "supportbot_lock_wait_seconds_sum") < 5
    assert total(samples, "supportbot_sent_total") == len(chat.sent)
    assert total(samples, "supportbot_sent_total", kind="AgentCard") == 1
    assert total(samples, "supportbot_send_failures_total") == 0

    [info] = [labels for (name, labels), _ in samples.items() if name == "supportbot_build_info"]
    build = dict(info)
    assert re.fullmatch(r"[0-9a-f]{12}", build["model"]), build
    assert build["kb"] == kb_version(chat.bot.services.index) and build["kb"].startswith(
        f"{len(chat.bot.services.index.kb.articles)}-"
    )
    assert "export a project" not in text and "owner role" not in text  # labels never carry what customers wrote

    assert ready_status == 200 and ready == {
        "ready": True,
        "failed": [],
        "checks": {"database": "ok", "model": "ok", "index": "ok"},
    }


def test_each_bot_counts_only_its_own_messages(new_bot: BotFactory) -> None:
    first, second = new_bot(), new_bot()
    first.say("hi there")
    assert b'supportbot_messages_received_total{platform="test"} 1.0' in first.bot.metrics.render()
    assert b"supportbot_messages_received_total{" not in second.bot.metrics.render()
