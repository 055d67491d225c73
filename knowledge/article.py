"""One Markdown article with YAML front matter, parsed into typed fields and heading sections."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.errors import Problem

AUDIENCES = ("customer", "internal")
PLANS = ("free", "team", "business", "enterprise")
ROLES = ("owner", "admin", "member", "guest")
REQUIRED_FIELDS = ("id", "title", "intents", "audience", "last_reviewed", "owner")
OPTIONAL_FIELDS = ("conditions", "questions", "source")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_LINK = re.compile(r"\]\(([^)#\s]+\.md)(#[^)]*)?\)")


@dataclass(frozen=True)
class Conditions:
    plans: tuple[str, ...] = ()  # empty: any plan
    roles: tuple[str, ...] = ()  # empty: any role

    def unmet(self, plan: str | None, role: str | None) -> list[str]:
        """Human-readable reasons the customer does not qualify ([] when they do or we cannot tell)."""
        reasons = []
        if self.plans and plan and plan.lower() not in self.plans:
            reasons.append(f"needs the {' or '.join(p.title() for p in self.plans)} plan (yours: {plan.title()})")
        if self.roles and role and role.lower() not in self.roles:
            reasons.append(f"needs an {' or '.join(r.title() for r in self.roles)} (you are: {role.title()})")
        return reasons


@dataclass(frozen=True)
class Source:
    """Where an imported article came from: a re-import finds it by (system, id), and `hash` (of the body
    as imported) tells whether someone has edited it by hand since."""

    system: str
    id: str
    url: str = ""
    hash: str = ""


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    line: int


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    intents: tuple[str, ...]
    audience: str
    last_reviewed: dt.date
    owner: str
    path: Path
    body: str
    conditions: Conditions = Conditions()
    questions: tuple[str, ...] = ()  # how customers ask for it: what tells it apart from its neighbours in search
    sections: tuple[Section, ...] = ()
    source: Source | None = None  # set on articles brought in by `supportbot kb import`
    links: tuple[tuple[str, int], ...] = field(default=())  # (target file name, line)
    field_lines: dict[str, int] = field(default_factory=dict, compare=False)  # front-matter field -> line

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, 1)

    @property
    def customer_facing(self) -> bool:
        return self.audience == "customer"


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts) or None when there is no front matter block."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return None


def split_sections(body: str, first_line: int, title: str) -> tuple[Section, ...]:
    """Chunk by `## ` headings; the text before the first one is the 'Overview' section."""
    sections: list[Section] = []
    heading, start = "Overview", first_line
    buffer: list[str] = []
    for offset, line in enumerate(body.splitlines()):
        if line.startswith("## "):
            if "".join(buffer).strip():
                sections.append(Section(heading, "\n".join(buffer).strip(), start))
            heading, start, buffer = line[3:].strip(), first_line + offset, []
        elif not (line.startswith("# ") and heading == "Overview"):
            buffer.append(line)
    if "".join(buffer).strip():
        sections.append(Section(heading, "\n".join(buffer).strip(), start))
    return tuple(sections)


def parse_article(path: Path) -> tuple[Article | None, list[Problem]]:
    """Parse one file; return the article (None if unusable) and every problem found in it."""
    problems: list[Problem] = []

    def problem(message: str, line: int | None) -> None:
        problems.append(Problem(path, line, message))

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path, None, f"unreadable: {exc}")]
    if not text.strip():
        return None, [Problem(path, None, "the file is empty")]
    parts = split_front_matter(text)
    if parts is None:
        return None, [Problem(path, 1, "no front matter: the file must start with a '---' line and close it with another")]
    front_text, body, body_line = parts
    try:
        meta = yaml.safe_load(front_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [
            Problem(path, mark.line + 2 if mark else 1, f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}")
        ]
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:  # PyYAML's constructors: 2026-02-30, !!int x
        return None, [Problem(path, 1, f"front matter has an invalid value: {exc}")]
    if not isinstance(meta, dict):
        return None, [Problem(path, 2, "front matter must be a mapping of fields")]
    field_lines = {m.group(1): n for n, line in enumerate(front_text.splitlines(), 2) if (m := re.match(r"^(\w+):", line))}

    for name in REQUIRED_FIELDS:
        # `intents: []` is allowed: such an article is answered through retrieval alone (imported ones start so)
        if meta.get(name) in (None, "") or (meta.get(name) == [] and name != "intents"):
            problem(f"missing required field '{name}'", 1)
    for name in meta:
        if name not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            known = ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
            problem(f"unknown field '{name}'; known fields: {known}", field_lines.get(str(name)))
    if problems:
        return None, problems

    article_id = str(meta["id"])
    if not _ID.match(article_id):
        problem(f"id '{article_id}' must be lower-case letters, digits and dashes", field_lines.get("id"))
    elif article_id != path.stem:
        problem(f"id '{article_id}' differs from the file name '{path.stem}'", field_lines.get("id"))
    intents = meta["intents"] if isinstance(meta["intents"], list) else [meta["intents"]]
    if not all(isinstance(i, str) and i for i in intents):
        problem("intents must be a list of intent names", field_lines.get("intents"))
    audience = str(meta["audience"])
    if audience not in AUDIENCES:
        problem(f"audience '{audience}' is not one of {', '.join(AUDIENCES)}", field_lines.get("audience"))
    reviewed = meta["last_reviewed"]
    if isinstance(reviewed, dt.datetime):  # `2026-10-14 09:30`: the day is what counts
        reviewed = reviewed.date()
    if isinstance(reviewed, str):
        try:
            reviewed = dt.date.fromisoformat(reviewed)
        except ValueError:
            reviewed = None
    if not isinstance(reviewed, dt.date):
        problem("last_reviewed must be a date like 2026-10-14", field_lines.get("last_reviewed"))
    conditions = _conditions(meta.get("conditions"), field_lines.get("conditions"), problem)
    source = parse_source(meta.get("source"))
    if "source" in meta and source is None:
        problem("source must be a mapping with 'system' and 'id' (and optionally 'url', 'hash')", field_lines.get("source"))
    questions = meta.get("questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
        problem("questions must be a list of customer questions (non-empty strings)", field_lines.get("questions"))
    if problems:
        return None, problems

    sections = split_sections(body, body_line, str(meta["title"]))
    if not sections:
        problem("the article has no text", body_line)
        return None, problems
    links = tuple((m.group(1), body_line + n) for n, line in enumerate(body.splitlines()) for m in _LINK.finditer(line))
    assert isinstance(reviewed, dt.date)
    return Article(
        id=article_id,
        title=str(meta["title"]),
        intents=tuple(str(i) for i in intents),
        audience=audience,
        last_reviewed=reviewed,
        owner=str(meta["owner"]),
        path=path,
        body=body,
        conditions=conditions,
        questions=tuple(q.strip() for q in questions),
        sections=sections,
        source=source,
        links=links,
        field_lines=field_lines,
    ), []


def parse_source(raw: object) -> Source | None:
    """The `source` field, or None when it is absent or unusable."""
    if not isinstance(raw, dict):
        return None
    fields = {k: _text(raw.get(k)) for k in ("system", "id", "url", "hash")}
    if not fields["system"] or not fields["id"]:
        return None
    return Source(fields["system"], fields["id"], fields["url"], fields["hash"])


def _text(value: object) -> str:
    """A string, or an id YAML read as a number (`id: 360001`); "" for anything else."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return value if isinstance(value, str) else str(value) if abs(value) < 10**30 else ""


def _conditions(raw: object, line: int | None, problem: Callable[[str, int | None], None]) -> Conditions:
    if raw is None:
        return Conditions()
    if not isinstance(raw, dict):
        problem("conditions must be a mapping with 'plans' and/or 'roles'", line)
        return Conditions()
    values: dict[str, tuple[str, ...]] = {}
    for key, allowed in (("plans", PLANS), ("roles", ROLES)):
        items = raw.get(key) or []
        items = items if isinstance(items, list) else [items]
        bad = [str(i) for i in items if str(i).lower() not in allowed]
        if bad:
            problem(f"unknown {key[:-1]} {', '.join(bad)}; valid: {', '.join(allowed)}", line)
        values[key] = tuple(str(i).lower() for i in items)
    extra = set(raw) - {"plans", "roles"}
    if extra:
        problem(f"unknown condition(s) {', '.join(sorted(map(str, extra)))}; valid: plans, roles", line)
    return Conditions(plans=values["plans"], roles=values["roles"])
