"""Property tests: every file an admin or a writer edits loads, or fails with that loader's own error
and a message naming the file; never a stray KeyError, ValueError or RecursionError from deep inside.

Each file is arbitrary text or bytes, or a valid file mutated: keys deleted or given odd values anywhere
in its structure, and text edits that splice in what trips YAML and CSV parsers (impossible dates, bad
tags, self-referring aliases, unclosed quotes, Latin-1 bytes)."""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from bot.adapters.discord.settings import DiscordSettings, load_discord_settings
from bot.adapters.slack.settings import SlackSettings, load_slack_settings
from bot.config import ConfigError, Settings, load_settings
from bot.core.directory import DirectoryError, load_directory
from bot.core.policy import BUNDLED_POLICY, Policy, PolicyError, load_policy
from bot.feedback_csv import COLUMNS, FeedbackFileError, read_csv
from knowledge.actions import ActionRegistry, load_actions
from knowledge.answer_set import AnswerSet, AnswerSetError, load_answer_set
from knowledge.base import KnowledgeBase, check_articles, load_knowledge_base
from knowledge.errors import ActionError, KnowledgeBaseError
from models.dataset import LabelledData, load_data
from models.errors import DataFileError

FAST = settings(max_examples=120, deadline=None)

# What trips YAML and CSV parsers, spliced into otherwise valid files.
SNIPPETS = st.sampled_from(
    ["2026-02-30", "!!int x", "!!float y", "!!timestamp z", "!!binary ###", "!!set [1]", "!!python/object:os.system x",
     "&a [*a]", "*undefined", "<<: *a", "? [complex, key]", "{", "[", "]", "'", '"', "- ", ": ", "\t", "~", "yes", "0x1F",
     ".inf", "1e999", "a{4294967296}", "(?<=a+)", "(" * 50, "\ufeff", "%YAML 1.1", "---", "...", "\x85", "\u2028",
     "\r", "\x00", ",", ",,,", '"unclosed', "a" * 300]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), SNIPPETS,
    st.dates(), st.datetimes(), st.sampled_from(["auto", "human", "enterprise", "admin", "customer", "article", "https://x.test"]),
)  # fmt: skip
KEYS = st.one_of(st.text(max_size=12), st.integers(-2, 2), st.none(), st.booleans())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3), max_leaves=8)


def mutated(data: st.DataObject, document: Any) -> Any:
    """The parsed document with a few keys or items, at any depth, deleted or replaced."""
    document = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        container = document
        while isinstance(container, dict | list) and container:
            key = data.draw(st.sampled_from(list(container) if isinstance(container, dict) else range(len(container))))
            child = container[key]
            if isinstance(child, dict | list) and child and data.draw(st.booleans(), label="descend"):
                container = child
                continue
            if data.draw(st.booleans(), label="delete"):
                del container[key]
            else:
                container[key] = data.draw(VALUES, label="value")
            break
    return document


def spliced(data: st.DataObject, text: str) -> str:
    """The text with a few troublesome fragments inserted, or a stretch cut out."""
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        at = data.draw(st.integers(0, len(text)), label="at")
        if data.draw(st.booleans(), label="cut"):
            text = text[:at] + text[at + data.draw(st.integers(1, 40), label="length") :]
        else:
            text = text[:at] + data.draw(st.one_of(SNIPPETS, st.text(max_size=10)), label="insert") + text[at:]
    return text


def variant(data: st.DataObject, sample: str) -> bytes:
    """One way to get a file wrong: a structural edit, a text edit, arbitrary text, or arbitrary bytes."""
    how = data.draw(st.sampled_from(["mutated", "spliced", "text", "bytes"]), label="how")
    if how == "mutated":
        return yaml.safe_dump(mutated(data, yaml.safe_load(sample)), sort_keys=False, allow_unicode=True).encode()
    if how == "spliced":
        return spliced(data, sample).encode("utf-8", "surrogatepass")
    if how == "text":
        return data.draw(st.text(max_size=200), label="text").encode()
    return data.draw(st.binary(max_size=200), label="bytes")


def loads_or_explains(load: Callable[[], object], error: type[Exception], path: Path, result: type | None = None) -> None:
    """The promise every loader here makes: a result, or its own error naming the file."""
    try:
        loaded = load()
    except error as exc:
        assert str(path) in str(exc) or path.name in str(exc), str(exc)
        return
    assert result is None or isinstance(loaded, result)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module: each example overwrites the one file it tests."""
    return tmp_path_factory.mktemp("files")


# The escalation policy -------------------------------------------------------------------------------


@FAST
@given(data=st.data())
def test_any_policy_file_loads_or_raises_policy_error(folder: Path, data: st.DataObject) -> None:
    """A policy file of any content: a Policy, or a PolicyError naming the file (and the setting)."""
    path = folder / "policy.yaml"
    path.write_bytes(variant(data, BUNDLED_POLICY.read_text(encoding="utf-8")))
    loads_or_explains(lambda: load_policy(path), PolicyError, path, Policy)


@pytest.mark.parametrize(
    "text",
    [
        b"conversations: {idle_close_minutes: 2026-02-30}",  # PyYAML's date constructor: ValueError
        b"tiers: !!timestamp x",  # PyYAML: AttributeError
        b"tiers: {x: !!int many}",
        b"human_request: {phrases: ['a{4294967296}']}",  # re: OverflowError, not re.error
        b"[" * 2000 + b"]" * 2000,  # pure-Python nesting: RecursionError
        "small_talk: {greeting: 'Hallå'}".encode("latin-1"),
    ],
)
def test_policy_regressions(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(text)
    with pytest.raises(PolicyError, match=re.escape(str(path))):
        load_policy(path)


# The customer directory --------------------------------------------------------------------------------

DIRECTORY_YAML = """\
customers:
  - company: Acme
    tier: enterprise
    account_value: 120000
    role: admin
    match: [slack-team:T0123, email-domain:acme.com]
  - company: Globex
    match: "discord-guild:8035; email:ana@globex.com"
  - company: Initech
    tier: team
    match: [user:slack:U0456]
"""
CELLS = st.one_of(
    st.text(max_size=15), SNIPPETS, st.sampled_from(["slack-team:T1", "email-domain:acme.com", "Acme", "team", "1000", "-5"])
)


def directory_csv(data: st.DataObject) -> bytes:
    header = data.draw(
        st.one_of(st.just(["match", "company", "tier", "account_value", "role"]), st.lists(CELLS, max_size=6)), label="header"
    )
    out = io.StringIO()
    csv.writer(out).writerows([header, *data.draw(st.lists(st.lists(CELLS, max_size=7), max_size=5), label="rows")])
    return spliced(data, out.getvalue()).encode("utf-8", "surrogatepass") if data.draw(st.booleans()) else out.getvalue().encode()


@FAST
@given(data=st.data(), suffix=st.sampled_from([".yaml", ".csv"]))
def test_any_customer_directory_loads_or_raises_directory_error(folder: Path, data: st.DataObject, suffix: str) -> None:
    """A YAML or CSV directory of any content: its entries, or a DirectoryError naming the file and line."""
    path = folder / f"customers{suffix}"
    path.write_bytes(variant(data, DIRECTORY_YAML) if suffix == ".yaml" else directory_csv(data))
    loads_or_explains(lambda: load_directory(path), DirectoryError, path, list)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("customers.yaml", b"customers: &a [*a]"),  # an alias inside itself: RecursionError in the line-keeping reader
        ("customers.csv", b'match,company\nslack-team:T1,"' + b"x" * 200_000 + b"\n"),  # csv: field larger than field limit
        ("customers.csv", b'"' + b"x" * 200_000 + b"\n"),
    ],
)
def test_directory_regressions(tmp_path: Path, name: str, text: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(text)
    with pytest.raises(DirectoryError, match=re.escape(str(path))):
        load_directory(path)


# Knowledge articles, the answer set and actions --------------------------------------------------------

ARTICLE = """\
---
id: an-article
title: Reset your password
intents: [password_reset]
audience: customer
conditions:
  plans: [team, business]
last_reviewed: 2026-01-15
owner: support
questions:
  - "forgot my password"
---
# Reset your password

Open **Settings → Security** and choose *Reset*. See [the login guide](an-article.md#steps).

## Steps

1. Click the link in the e-mail.
"""


def article_text(data: st.DataObject) -> str:
    how = data.draw(st.sampled_from(["mutated", "spliced", "text"]), label="how")
    if how == "mutated":
        front, body = ARTICLE.split("---\n")[1:3]
        meta = yaml.safe_dump(mutated(data, yaml.safe_load(front)), sort_keys=False, allow_unicode=True)
        return f"---\n{meta}---\n{data.draw(st.one_of(st.just(body), st.text(max_size=80)), label='body')}"
    return spliced(data, ARTICLE) if how == "spliced" else "---\n" + data.draw(st.text(max_size=200), label="text")


@FAST
@given(data=st.data())
def test_any_article_loads_or_raises_knowledge_base_error(folder: Path, data: st.DataObject) -> None:
    """A directory holding one article of any content: a knowledge base, or KnowledgeBaseError listing
    problems with the file and line; the checks `supportbot kb check` runs never raise either."""
    directory = folder / "kb"
    directory.mkdir(exist_ok=True)
    path = directory / "an-article.md"
    path.write_text(article_text(data), encoding="utf-8")
    loads_or_explains(lambda: load_knowledge_base(directory, {"password_reset"}), KnowledgeBaseError, path, KnowledgeBase)
    _articles, problems = check_articles(directory, {"password_reset"}, stale_after_days=30, today=dt.date(2026, 6, 1))
    assert all(problem.path == path and problem.message for problem in problems)


@pytest.mark.parametrize("value", ["2026-02-30", "!!timestamp x", "!!int x"])
def test_article_regressions(tmp_path: Path, value: str) -> None:
    (tmp_path / "an-article.md").write_text(ARTICLE.replace("2026-01-15", value), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=re.escape(str(tmp_path / "an-article.md"))):
        load_knowledge_base(tmp_path)


def test_a_review_time_counts_as_its_day(tmp_path: Path) -> None:
    """`last_reviewed: 2026-01-15 09:30:00` is a datetime to YAML: the staleness check used to subtract it from a date."""
    (tmp_path / "an-article.md").write_text(ARTICLE.replace("2026-01-15", "2026-01-15 09:30:00"), encoding="utf-8")
    assert load_knowledge_base(tmp_path).articles["an-article"].last_reviewed == dt.date(2026, 1, 15)
    _articles, problems = check_articles(tmp_path, stale_after_days=30, today=dt.date(2026, 6, 1))
    assert [p.message for p in problems] == ["not reviewed for 137 days (limit 30); owner: support"]


ANSWERS = """\
version: 1
questions:
  - text: "forgot my password"
    expect: article
    articles: [an-article]
    voice: plain
  - text: "what is the weather"
    expect: out_of_scope
  - text: "I want to sue you"
    expect: person
    why: legal threat
"""


@FAST
@given(data=st.data())
def test_any_answer_set_loads_or_raises_answer_set_error(folder: Path, data: st.DataObject) -> None:
    path = folder / "answers.yaml"
    path.write_bytes(variant(data, ANSWERS))
    loads_or_explains(lambda: load_answer_set(path, {"an-article"}), AnswerSetError, path, AnswerSet)


ACTIONS = """\
actions:
  password_reset:
    type: webhook
    url: https://hooks.example.test/reset
    method: POST
    fields: {email: customer.email, user: customer.id}
    headers: {X-Source: supportbot}
    response_template: "Sent a reset link to {email}."
    timeout_seconds: 5
  invoice_copy:
    url: http://billing.example.test/invoice
    method: GET
"""


@FAST
@given(data=st.data())
def test_any_actions_file_loads_or_raises_action_error(folder: Path, data: st.DataObject) -> None:
    """An actions file of any content: a registry, or an ActionError naming the file and the action."""
    path = folder / "actions.yaml"
    path.write_bytes(variant(data, ACTIONS))
    loads_or_explains(lambda: load_actions(path, {"password_reset", "invoice_copy"}), ActionError, path, ActionRegistry)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("{email: customer.email, user: customer.id}", "[email]"),
        ("type: webhook", "type: webhook\n    0: zero\n    yes: true"),  # keys YAML reads as int and bool: sorted() and join()
        ("timeout_seconds: 5", "timeout_seconds: soon"),
        ("timeout_seconds: 5", "timeout_seconds: [5]"),
        ("headers: {X-Source: supportbot}", "headers: X-Source"),
        ("url: https://hooks.example.test/reset", "url: https://hooks.example.test/reset\n    when: 2026-02-30"),
    ],
)
def test_action_regressions(tmp_path: Path, old: str, new: str) -> None:
    path = tmp_path / "actions.yaml"
    path.write_text(ACTIONS.replace(old, new), encoding="utf-8")
    with pytest.raises(ActionError, match=re.escape(str(path))):
        load_actions(path)


# Training data and reviewed feedback ---------------------------------------------------------------------

INTENTS = """\
version: 1
product: Orbitask
intents:
  password_reset:
    description: The customer cannot log in and wants a new password.
    tier: auto
    examples: [reset my password, forgot my password]
  invoice_copy:
    examples:
      - send me an invoice
      - copy of my invoice
out_of_scope:
  examples: [what is the weather]
"""


def labelled_csv(data: st.DataObject, columns: list[str]) -> bytes:
    header = data.draw(st.one_of(st.just(columns), st.lists(CELLS, max_size=5)), label="header")
    out = io.StringIO()
    csv.writer(out).writerows(
        [header, *data.draw(st.lists(st.lists(CELLS, max_size=len(columns) + 1), max_size=5), label="rows")]
    )
    text = out.getvalue()
    how = data.draw(st.sampled_from(["csv", "spliced", "latin-1", "bytes"]), label="how")
    if how == "bytes":
        return data.draw(st.binary(max_size=200), label="bytes")
    if how == "latin-1":
        return text.encode("latin-1", "replace") + "café".encode("latin-1")
    return (spliced(data, text) if how == "spliced" else text).encode("utf-8", "surrogatepass")


@FAST
@given(data=st.data(), suffix=st.sampled_from([".yaml", ".csv"]))
def test_any_training_data_loads_or_raises_data_file_error(folder: Path, data: st.DataObject, suffix: str) -> None:
    """An intents file or a helpdesk CSV export of any content: labelled data, or a DataFileError with
    the file (and line)."""
    path = folder / f"intents{suffix}"
    path.write_bytes(variant(data, INTENTS) if suffix == ".yaml" else labelled_csv(data, ["text", "label"]))
    loads_or_explains(lambda: load_data(path), DataFileError, path, LabelledData)


@FAST
@given(data=st.data())
def test_any_feedback_file_reads_or_raises_feedback_file_error(folder: Path, data: st.DataObject) -> None:
    """A reviewed feedback CSV of any content: the confirmed examples, or a FeedbackFileError with the
    file and line of each problem."""
    path = folder / "feedback.csv"
    path.write_bytes(labelled_csv(data, list(COLUMNS)))
    loads_or_explains(lambda: read_csv(path, {"password_reset", "invoice_copy"}), FeedbackFileError, path, list)


@pytest.mark.parametrize(
    "text",
    [
        "verdict,intent,text\nconfirmed,password_reset,café\n".encode("latin-1"),  # UnicodeDecodeError
        b'verdict,intent,text\nconfirmed,password_reset,"' + b"x" * 200_000 + b"\n",  # csv: field larger than field limit
    ],
)
def test_feedback_regressions(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "feedback.csv"
    path.write_bytes(text)
    with pytest.raises(FeedbackFileError, match=re.escape(str(path))):
        read_csv(path, {"password_reset"})


# Settings from the environment -------------------------------------------------------------------------


def env_names(model: type[BaseSettings], prefix: str = "") -> list[str]:
    """The variables a settings class reads: its aliases, or the prefixed field names."""
    names = set()
    for name, field in model.model_fields.items():
        alias = field.validation_alias
        names |= {str(c) for c in alias.choices} if isinstance(alias, AliasChoices) else {f"{prefix}{name}".upper()}
    return sorted(names)


LOADERS: dict[str, tuple[Callable[[], object], list[str]]] = {
    "core": (load_settings, env_names(Settings, "SUPPORTBOT_")),
    "slack": (load_slack_settings, env_names(SlackSettings)),
    "discord": (load_discord_settings, env_names(DiscordSettings)),
}
ENV_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)
ENV_VALUES = st.one_of(
    ENV_TEXT, st.integers(-(10**20), 10**20).map(str), st.floats().map(str),
    st.sampled_from(["", " ", "~", "~nosuchuser/x", "true", "0", "-1", "65536", "json", "DEBUG", "slack:U1,discord", "C0123",
                     "https://x.test", "{}", "[]", "[1", "null", '[{"guild": "8035"}]', '[{"guild": "80351110224678912", "x": 1}]']),
)  # fmt: skip


@contextlib.contextmanager
def only_environment(values: dict[str, str], folder: Path) -> Iterator[None]:
    """Exactly these supportbot, Slack and Discord variables, and no `.env` (the working directory is empty)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("SUPPORTBOT_", "SLACK_", "DISCORD_")) or name == "DATABASE_URL":
                patch.delenv(name)
        for name, value in values.items():
            patch.setenv(name, value)
        patch.chdir(folder)
        yield


ENVIRONMENTS = st.sampled_from(sorted(LOADERS)).flatmap(
    lambda which: st.tuples(st.just(which), st.dictionaries(st.sampled_from(LOADERS[which][1]), ENV_VALUES, max_size=6))
)


@FAST
@given(case=ENVIRONMENTS)
@example(case=("core", {"SUPPORTBOT_KB_DIR": "~nosuchuser/articles"}))  # Path.expanduser: RuntimeError
@example(case=("discord", {"SUPPORTBOT_DISCORD_GUILDS": "[{"}))  # pydantic-settings: SettingsError, not ValidationError
def test_any_environment_gives_settings_or_config_error(folder: Path, case: tuple[str, dict[str, str]]) -> None:
    """Any values of the variables a settings loader reads: its settings, or a ConfigError naming each bad one."""
    which, values = case
    load = LOADERS[which][0]
    empty = folder / "cwd"
    empty.mkdir(exist_ok=True)
    with only_environment(values, empty):
        try:
            loaded = load()
        except ConfigError as exc:
            assert any(name in str(exc) for name in values), str(exc)
            return
    assert isinstance(loaded, BaseSettings)
