import datetime as dt
from pathlib import Path

import pytest

from knowledge import BUNDLED_ARTICLES
from knowledge.article import parse_article
from knowledge.base import check_articles, load_knowledge_base
from knowledge.errors import KnowledgeBaseError
from tests.knowledge.conftest import write_article

GOOD = """\
---
id: set-up-sso
title: Set up SSO
intents: [sso_setup]
audience: customer
conditions:
  plans: [business, enterprise]
  roles: [owner, admin]
last_reviewed: 2026-10-01
owner: security
---
# Set up SSO

Intro text.

## Before you start
- Business plan.

## Steps
1. Go to **Settings > Security**.
2. Paste the metadata.

## Related
- [Reset your password](reset.md)
"""


def test_parses_fields_conditions_sections_and_links(tmp_path: Path) -> None:
    path = tmp_path / "set-up-sso.md"
    path.write_text(GOOD)
    article, problems = parse_article(path)
    assert problems == [] and article is not None
    assert article.intents == ("sso_setup",) and article.customer_facing
    assert article.last_reviewed == dt.date(2026, 10, 1)
    assert [s.heading for s in article.sections] == ["Overview", "Before you start", "Steps", "Related"]
    assert article.sections[2].line == 19
    assert article.links == (("reset.md", 24),)
    assert article.conditions.unmet("team", "member") == [
        "needs the Business or Enterprise plan (yours: Team)",
        "needs an Owner or Admin (you are: Member)",
    ]
    assert article.conditions.unmet("enterprise", "admin") == []


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", None, "the file is empty"),
        ("# Just a heading\n", 1, "no front matter"),
        ("---\nid: x\n", 1, "no front matter"),
        ("---\nid: [unclosed\n---\nbody\n", 2, "front matter is not valid YAML"),
        (GOOD.replace("owner: security\n", ""), 1, "missing required field 'owner'"),
        (GOOD.replace("owner: security\n", "owner: security\ncolour: blue\n"), 11, "unknown field 'colour'"),
        (GOOD.replace("id: set-up-sso", "id: other-id"), 2, "differs from the file name"),
        (GOOD.replace("audience: customer", "audience: everyone"), 5, "audience 'everyone'"),
        (GOOD.replace("last_reviewed: 2026-10-01", "last_reviewed: last week"), 9, "last_reviewed must be a date"),
        (GOOD.replace("plans: [business, enterprise]", "plans: [platinum]"), 6, "unknown plan platinum"),
    ],
)
def test_broken_articles_name_the_file_and_line(tmp_path: Path, text: str, line: int | None, fragment: str) -> None:
    path = tmp_path / "set-up-sso.md"
    path.write_text(text)
    article, problems = parse_article(path)
    assert article is None
    assert any(fragment in str(p) and p.line == line for p in problems), [str(p) for p in problems]
    assert all(str(path) in str(p) for p in problems)


def test_cross_checks_intents_ids_links_and_review_dates(tmp_path: Path) -> None:
    (tmp_path / "set-up-sso.md").write_text(GOOD)
    write_article(tmp_path, "reset", "Reset", "password_reset", "Reset it.", "Open the link.")
    (tmp_path / "copy.md").write_text(GOOD.replace("id: set-up-sso", "id: copy").replace("sso_setup", "sso_setpu"))
    _, problems = check_articles(tmp_path, ["sso_setup", "password_reset"], stale_after_days=30, today=dt.date(2026, 11, 29))
    messages = [str(p) for p in problems]
    assert any("copy.md:4: unknown intent(s) sso_setpu" in m for m in messages)
    assert any("set-up-sso.md:9: not reviewed for 59 days (limit 30); owner: security (warning)" in m for m in messages)
    assert not any("broken link" in m for m in messages)  # reset.md exists
    (tmp_path / "reset.md").unlink()
    _, problems = check_articles(tmp_path, ["sso_setup", "password_reset"])
    assert any("set-up-sso.md:24: broken link to 'reset.md'" in str(p) for p in problems)


def test_duplicate_ids_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    write_article(tmp_path / "a", "same", "One", "greeting", "x", "y")
    second = tmp_path / "a" / "zz.md"
    second.write_text((tmp_path / "a" / "same.md").read_text())
    _, problems = check_articles(tmp_path / "a")
    assert any("id 'same' differs from the file name 'zz'" in str(p) for p in problems)


def test_serving_load_refuses_a_broken_directory_whole(tmp_path: Path) -> None:
    write_article(tmp_path, "fine", "Fine", "greeting", "x", "y")
    (tmp_path / "broken.md").write_text("no front matter here")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(tmp_path)
    assert "broken.md:1: no front matter" in str(caught.value)
    with pytest.raises(KnowledgeBaseError, match="knowledge directory does not exist"):
        load_knowledge_base(tmp_path / "missing")


def test_the_bundled_knowledge_base_is_clean_and_covers_every_answerable_intent(intent_names: list[str]) -> None:
    articles, problems = check_articles(BUNDLED_ARTICLES, intent_names)
    assert [str(p) for p in problems] == []
    customer = [a for a in articles.values() if a.customer_facing]
    assert len(customer) >= 25 and any(not a.customer_facing for a in articles.values())
    covered = {intent for a in customer for intent in a.intents}
    assert set(intent_names) - covered <= {"greeting", "thanks", "talk_to_human"}
