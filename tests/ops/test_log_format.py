"""Logs for operators: JSON lines a pipeline can parse, with the message's key=value pairs as fields,
and a filter that masks e-mail addresses, platform tokens and SQL parameters in any record."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.logs import HANDLER_NAME, JsonFormatter, configure_logging, fields
from bot.redaction import Redact, redact

DISCORD_TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture
def ours() -> Iterator[None]:
    """Leave the root logger as the test found it."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_json_lines_parse_and_carry_the_message_fields(tmp_path: Path, ours: None) -> None:
    path = tmp_path / "bot.log"
    configure_logging(settings(log_format="json", log_level="DEBUG"), path)
    log = logging.getLogger("supportbot.test")
    log.info("escalation.created ticket=%s priority=%s triggers=%s", 12, "high", "frustration,wants_human")
    log.warning("directory.crm_unavailable reason=%r retry_in=%gs (customers are treated as unknown)", "HTTP 503", 30)
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("message.failed platform=%s id=%s", "slack", "C1:171.2")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["level"] for line in lines] == ["INFO", "WARNING", "ERROR"]
    first = lines[0]
    assert first["logger"] == "supportbot.test" and first["time"].endswith("+00:00")
    assert first["message"] == "escalation.created ticket=12 priority=high triggers=frustration,wants_human"
    assert (first["event"], first["ticket"], first["priority"], first["triggers"]) == (
        "escalation.created",
        "12",
        "high",
        "frustration,wants_human",
    )
    assert lines[1]["reason"] == "HTTP 503" and lines[1]["retry_in"] == "30s"
    assert lines[2]["id"] == "C1:171.2" and "ValueError: boom" in lines[2]["exc"]


def test_the_standard_fields_are_never_overwritten_by_the_message() -> None:
    assert fields("x.y level=DEBUG logger=evil time=0 user=U1") == {"event": "x.y", "user": "U1"}
    assert fields("answer_gate.not_saved dir=/tmp/model: read-only") == {"event": "answer_gate.not_saved", "dir": "/tmp/model"}
    assert fields("settings.kb_reload") == {"event": "settings.kb_reload"}


def test_text_is_the_default_and_reconfiguring_replaces_only_our_handler(ours: None) -> None:
    first = configure_logging(settings())
    second = configure_logging(settings())
    names = [h.get_name() for h in logging.getLogger().handlers]
    assert names.count(HANDLER_NAME) == 1 and second in logging.getLogger().handlers and first not in logging.getLogger().handlers
    assert not isinstance(second.formatter, JsonFormatter)


def test_the_filter_masks_emails_and_tokens_in_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(Redact())
    log = logging.getLogger("supportbot.redaction-test")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("crm.lookup key=email:%s", "Ana.Lopez+work@acme.co.uk")
        log.error("slack.auth token=%s app=%s", "xoxb-1234-5678-AbCdEfGh", "xapp-1-A0-123-abc")
        log.error("discord.login Authorization: Bot %s", DISCORD_TOKEN)
        try:
            raise RuntimeError(
                "(psycopg.errors.X) boom\n[SQL: INSERT INTO message ...]\n[parameters: ('my card 4111 is stolen', 7)]"
            )
        except RuntimeError:
            log.exception("message.failed id=%s reply_to=%s", "m1", "bob@example.com")
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    for secret in ("Ana.Lopez", "acme.co.uk", "xoxb-1234", "xapp-1-A0", DISCORD_TOKEN, "bob@example.com", "4111"):
        assert secret not in out
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["message"] == "crm.lookup key=email:[email]"
    assert lines[1]["token"] == "[token]" and lines[1]["app"] == "[token]"
    assert lines[2]["message"] == "discord.login Authorization: Bot [token]"
    assert lines[3]["reply_to"] == "[email]" and "[parameters: hidden]" in lines[3]["exc"]


def test_redact_leaves_ordinary_log_text_alone() -> None:
    line = "escalation.created ticket=12 priority=high triggers=frustration key=email-domain:acme.com id=C0123:1712.5"
    assert redact(line) == line
