"""`supportbot kb import` below the command line: help-centre exports in, checked articles out."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from bot.config import BUNDLED_INTENTS
from knowledge import BUNDLED_ARTICLES
from knowledge.article import Source, parse_article
from knowledge.base import NO_INTENTS, check_articles, load_knowledge_base
from knowledge.embedding import SentenceEncoder
from knowledge.importers import IMPORTERS, detect
from knowledge.importers.html_to_markdown import html_to_markdown
from knowledge.importers.importing import ImportOptions, import_export
from knowledge.importers.report import ImportReport
from knowledge.importers.types import ExportError
from knowledge.index import KnowledgeIndex
from knowledge.resolver import Resolver
from knowledge.types import Answer, ResolveRequest
from models.dataset import load_data

FIXTURES = Path(__file__).parent / "fixtures"
ZENDESK = FIXTURES / "zendesk_articles.json"
INTERCOM = FIXTURES / "intercom_articles.json"
FOLDER = FIXTURES / "help_folder"
OFFLINE = "working-offline-in-the-desktop-app"
SYNC = "sync-conflicts-and-how-to-resolve-them"


def run(source: Path, out: Path, system: str | None = None, **options: object) -> ImportReport:
    importer = IMPORTERS[system] if system else detect(source)
    return import_export(importer, source, ImportOptions(out_dir=out, today=dt.date(2026, 11, 30), **options))  # type: ignore[arg-type]


def body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


# ---------------------------------------------------------------------- HTML to Markdown


def test_lists_nest_and_number_and_unclosed_tags_are_closed() -> None:
    html = "<ol start=3><li>Open <b>Billing</b><ul><li>PDF<li>CSV<ul><li>zipped</ul></ul><li>Click <i>Save</i></ol><p>one<p>two"
    assert html_to_markdown(html).markdown == (
        "3. Open **Billing**\n   - PDF\n   - CSV\n     - zipped\n4. Click *Save*\n\none\n\ntwo"
    )


def test_inline_formatting_entities_code_quotes_and_dropped_elements() -> None:
    html = (
        "<p>Fees &amp; taxes&nbsp;apply to <strong> all </strong>plans &lt;3 * stars</p>"
        "<script>track()</script><style>p {}</style><p>Run <code>npm i</code>:</p>"
        '<pre><code class="language-bash">curl -s \\\n  https://api.example.com</code></pre>'
        "<blockquote><p>Note: one</p><p>two</p></blockquote><hr>"
    )
    assert html_to_markdown(html).markdown == (
        "Fees & taxes apply to **all** plans <3 \\* stars\n\nRun `npm i`:\n\n"
        "```bash\ncurl -s \\\n  https://api.example.com\n```\n\n> Note: one\n>\n> two\n\n---"
    )


def test_simple_tables_become_markdown_tables_and_complex_ones_labelled_rows() -> None:
    simple = "<table><tr><th>Plan</th><th>Price</th></tr><tr><td>Team</td><td>$8 | seat</td></tr><tr><td colspan=2>Tax extra</td></tr></table>"
    assert html_to_markdown(simple).markdown == "| Plan | Price |\n| --- | --- |\n| Team | $8 \\| seat |\n| Tax extra |  |"
    complex_table = "<table><thead><tr><th>Plan</th><th>Includes</th></tr></thead><tr><td>Team</td><td><ul><li>SSO</li><li>API</li></ul></td></tr></table>"
    assert html_to_markdown(complex_table).markdown == "- Plan: Team; Includes: SSO, API"


def test_images_and_videos_are_noted_never_fetched() -> None:
    html = '<p>See:</p><img src="/shots/a.png" alt="The  billing page"><img src="data:image/png;base64,AAA"><iframe src="https://youtube.com/embed/x"></iframe>'
    result = html_to_markdown(html, image_src=lambda src: "https://help.example.com" + src if src.startswith("/") else src)
    assert "*(image: The billing page — https://help.example.com/shots/a.png)*" in result.markdown
    assert "*(image: embedded data, not kept)*" in result.markdown
    assert "*(embedded content: https://youtube.com/embed/x)*" in result.markdown
    assert [(i.alt, i.kind) for i in result.images] == [("The billing page", "image"), ("", "image"), ("", "embedded content")]


def test_links_go_through_the_callback_and_headings_shift_to_sections() -> None:
    html = '<h1>Billing FAQ</h1><h3>Invoices</h3><p>See <a href="a">this</a> and <a href="#top">that</a>.</p><h4>PDF</h4>'
    result = html_to_markdown(html, link=lambda href: None if href.startswith("#") else f"{href}.md", known_title="billing faq")
    assert result.markdown == "## Invoices\n\nSee [this](a.md) and that.\n\n### PDF"


# ---------------------------------------------------------------------- importing


def test_zendesk_export_becomes_checked_articles_with_links_rewritten(tmp_path: Path) -> None:
    report = run(ZENDESK, tmp_path)
    assert report.imported == (OFFLINE, SYNC, "calendar-feed-ical-subscriptions")
    assert [str(s) for s in report.skipped] == [
        "articles[3] (article 360004444, “Offline mode for mobile (beta)”): draft (--include-drafts imports drafts)"
    ]
    assert (report.links_rewritten, report.external_links) == (2, 2)
    assert [(a, i.alt) for a, i in report.images] == [(OFFLINE, "Offline settings in Preferences")]
    articles, problems = check_articles(tmp_path, ["password_reset"])
    assert sorted(articles) == sorted(report.imported)
    assert [(p.path.name, p.line, p.message, p.severity) for p in problems] == [
        (f"{a}.md", 4, NO_INTENTS, "warning") for a in sorted(report.imported)
    ]
    offline = articles[OFFLINE]
    assert offline.intents == () and offline.audience == "customer" and offline.owner == "imported"
    assert offline.last_reviewed == dt.date(2026, 10, 14)
    assert offline.source is not None and len(offline.source.hash) == 16
    assert offline.source == Source(
        "zendesk",
        "360001111",
        "https://orbitask.zendesk.com/hc/en-us/articles/360001111-Working-offline-in-the-desktop-app",
        offline.source.hash,
    )
    assert offline.links == ((f"{SYNC}.md", offline.links[0][1]),)
    assert [s.heading for s in offline.sections] == [
        "Overview",
        "What works offline",
        "Turn on offline mode",
        "When you are back online",
    ]
    text = offline.body
    assert "| Comments | Yes | Sent in order \\| queued |" in text
    assert "2. Choose *Preferences* > **Offline**.\n   - Pick the projects" in text
    assert "[orbitask.com/download](https://orbitask.com/download)" in text and "trackArticleView" not in text
    sync = articles[SYNC].body
    assert f"[desktop app]({OFFLINE}.md)" in sync and "Jump to the FAQ below." in sync  # a relative link, and an anchor
    assert "```bash\norbitask --sync-log --since 2026-10-01\n```" in sync


def test_drafts_are_imported_on_request(tmp_path: Path) -> None:
    report = run(ZENDESK, tmp_path, include_drafts=True, owner="support-ops")
    assert "offline-mode-for-mobile-beta" in report.imported and report.skipped == ()
    assert parse_article(tmp_path / "offline-mode-for-mobile-beta.md")[0].owner == "support-ops"  # type: ignore[union-attr]


def test_intercom_export_with_its_description_and_epoch_dates(tmp_path: Path) -> None:
    report = run(INTERCOM, tmp_path)
    assert report.imported == ("set-up-a-recurring-task", "task-templates") and len(report.skipped) == 1
    articles, problems = check_articles(tmp_path)
    assert all(p.severity == "warning" for p in problems)
    recurring = articles["set-up-a-recurring-task"]
    assert recurring.last_reviewed == dt.date(2026, 11, 1)
    assert recurring.body.startswith("# Set up a recurring task\n\nRepeat a task every day, week or month.\n\nOpen a task")
    assert "[task templates](task-templates.md)" in recurring.body
    templates = articles["task-templates"].body
    assert templates.count("Task templates") == 1  # the body's own <h1> repeating the title is dropped
    assert "*(image: https://downloads.intercomcdn.com/i/o/123/template.png)*" in templates


def test_a_folder_of_html_and_markdown(tmp_path: Path) -> None:
    report = run(FOLDER, tmp_path)
    assert report.system == "folder" and report.imported == ("getting-started", "invite-teammates", "keyboard-shortcuts")
    articles, problems = check_articles(tmp_path)
    assert all(p.severity == "warning" for p in problems)
    assert articles["getting-started"].title == "Getting started with Orbitask"
    assert "Home" not in articles["getting-started"].body  # the site's navigation is not the article
    assert "- [Invite your teammates](invite-teammates.md)\n- [Learn the keyboard shortcuts](keyboard-shortcuts.md)" in (
        articles["getting-started"].body
    )
    assert "- The old getting-started guide" in articles["getting-started"].body
    assert [str(n) for n in report.notes] == [
        "getting-started.html: link to '../outside/legacy.html': not an article of this import, kept as text"
    ]
    invite = articles["invite-teammates"]
    assert invite.source and invite.source.id == "guides/invite-teammates.html"
    assert "*(image: The invite dialog — guides/img/invite-dialog.png)*" in invite.body
    assert "[Getting started](getting-started.md)" in invite.body
    shortcuts = articles["keyboard-shortcuts"]
    assert shortcuts.last_reviewed == dt.date(2026, 10, 30)
    assert "\n## Tasks\n" in shortcuts.body and "| `N` | New task |" in shortcuts.body
    assert "# not a heading: inside a code block\n[not a link](getting-started.html)\n```" in shortcuts.body


def test_importing_again_is_idempotent(tmp_path: Path) -> None:
    run(ZENDESK, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.md")}
    again = run(ZENDESK, tmp_path)
    assert again.imported == () and again.updated == () and len(again.unchanged) == 3
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.md")} == before


def changed_export(tmp_path: Path, body: str, title: str | None = None) -> Path:
    data = json.loads(ZENDESK.read_text())
    data["articles"][0]["body"] = body
    data["articles"][0]["updated_at"] = "2026-11-20T10:00:00Z"
    if title:
        data["articles"][0]["title"] = title
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data))
    return path


def test_a_changed_source_updates_the_article_and_keeps_what_was_curated_here(tmp_path: Path) -> None:
    out = tmp_path / "kb"
    run(ZENDESK, out)
    path = out / f"{OFFLINE}.md"
    path.write_text(path.read_text().replace("intents: []", "intents: [desktop_app]\nquestions:\n- can i work on a plane"))
    report = run(changed_export(tmp_path, "<p>Offline mode now syncs attachments too.</p>", "Offline mode"), out)
    assert report.updated == (OFFLINE,) and len(report.unchanged) == 2
    article = parse_article(path)[0]
    assert article is not None and article.id == OFFLINE  # links point at the id: it never changes
    assert article.title == "Offline mode" and "syncs attachments too" in article.body
    assert article.intents == ("desktop_app",) and article.questions == ("can i work on a plane",)
    assert article.last_reviewed == dt.date(2026, 11, 20)
    assert run(changed_export(tmp_path, "<p>Offline mode now syncs attachments too.</p>", "Offline mode"), out).updated == ()


def test_an_article_edited_by_hand_is_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "kb"
    run(ZENDESK, out)
    path = out / f"{OFFLINE}.md"
    path.write_text(path.read_text().replace("keeps working", "keeps working (tested on macOS 15)"))
    edited = path.read_text()
    assert run(ZENDESK, out).unchanged == (OFFLINE, SYNC, "calendar-feed-ical-subscriptions")  # nothing new upstream
    changed = changed_export(tmp_path, "<p>Rewritten upstream.</p>")
    report = run(changed, out)
    assert report.kept == (OFFLINE,) and report.updated == () and path.read_text() == edited
    assert "kept: edited by hand since the last import (--force overwrites): 1 (working-offline" in "\n".join(report.lines())
    assert run(changed, out, force=True).updated == (OFFLINE,)
    assert "Rewritten upstream." in path.read_text() and "macOS 15" not in path.read_text()


def test_ids_are_unique_and_never_take_a_hand_written_article(tmp_path: Path) -> None:
    (tmp_path / f"{OFFLINE}.md").write_text(
        f"---\nid: {OFFLINE}\ntitle: Ours\nintents: [greeting]\naudience: customer\nlast_reviewed: 2026-11-01\nowner: x\n---\n# Ours\n\nText.\n"
    )
    export = tmp_path / "export.jsonl"
    lines = [{"id": n, "title": "Working offline in the desktop app", "body": f"<p>Copy {n}</p>", "html_url": ""} for n in (1, 2)]
    export.write_text("\n".join(json.dumps(line) for line in lines))
    report = run(export, tmp_path, "zendesk")
    assert report.imported == (f"{OFFLINE}-2", f"{OFFLINE}-3")
    assert (tmp_path / f"{OFFLINE}.md").read_text().startswith(f"---\nid: {OFFLINE}\ntitle: Ours")


def test_articles_gone_from_the_export_are_reported_and_kept(tmp_path: Path) -> None:
    run(ZENDESK, tmp_path)
    data = json.loads(ZENDESK.read_text())
    data["articles"] = data["articles"][1:]
    smaller = tmp_path / "smaller.json"
    smaller.write_text(json.dumps(data))
    report = run(smaller, tmp_path)
    assert report.gone == (OFFLINE,) and (tmp_path / f"{OFFLINE}.md").exists()
    # the remaining articles still link to it: it is still here
    assert f"({OFFLINE}.md)" in (tmp_path / f"{SYNC}.md").read_text()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    report = run(ZENDESK, tmp_path / "kb", dry_run=True)
    assert len(report.imported) == 3 and not (tmp_path / "kb").exists()
    assert "(dry run: nothing written)" in report.lines()[0]


def test_suggested_intents_are_filled_in_when_given(tmp_path: Path) -> None:
    report = run(ZENDESK, tmp_path, suggest_intent=lambda title, body: "sync_help" if "sync" in title.lower() else None)
    assert report.suggested == ((SYNC, "sync_help"),)
    assert parse_article(tmp_path / f"{SYNC}.md")[0].intents == ("sync_help",)  # type: ignore[union-attr]


# ---------------------------------------------------------------------- bad exports


@pytest.mark.parametrize(
    ("content", "system", "message"),
    [
        ('{"articles": [{"id": 1, "title": "A", "body": "<p>x</p>"}', "zendesk", "not JSON (Expecting ',' delimiter at line 1"),
        ('{"results": []}', "zendesk", "expected an object with a 'articles' list"),
        ('{"articles": []}', "intercom", "expected an object with a 'data' list"),
        ("", "zendesk", "not JSON"),
    ],
)
def test_an_unreadable_export_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, content: str, system: str, message: str
) -> None:
    export = tmp_path / "export.json"
    export.write_text(content)
    with pytest.raises(ExportError) as caught:
        run(export, tmp_path / "kb", system)
    assert str(caught.value).startswith(str(export)) and message in str(caught.value)
    assert not (tmp_path / "kb").exists()


def test_bad_articles_are_skipped_by_position_and_the_rest_imported(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps(
            {
                "articles": [
                    {"id": 1, "title": "Good one", "body": "<p>Fine.</p>"},
                    {"id": 2, "body": "<p>No title.</p>"},
                    {"title": "No id", "body": "<p>x</p>"},
                    {"id": 4, "title": "Empty", "body": "<p> </p><script>x()</script>"},
                    {"id": 5, "title": "Odd body", "body": {"html": "<p>x</p>"}},
                    "not an object",
                    {"id": 1, "title": "Good one (fr)", "body": "<p>Bien.</p>"},
                ]
            }
        )
    )
    report = run(export, tmp_path / "kb")
    assert report.imported == ("good-one",)
    assert [str(p) for p in report.problems] == [
        "articles[1] (article 2): no title: skipped",
        "articles[2] (“No id”): no id: skipped",
        "articles[4] (article 5, “Odd body”): body is not HTML text: skipped",
        "articles[5]: not an article object: skipped",
        "articles[6] (article 1, “Good one (fr)”): the same article id again (another locale?): skipped",
    ]
    assert [str(s) for s in report.skipped] == ["articles[3] (article 4, “Empty”): empty body"]


def test_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    export.write_text('{"id": 1, "title": "One", "body": "<p>1</p>", "html_url": "https://h/hc/articles/1"}\n{"id": 2, "title\n')
    report = run(export, tmp_path / "kb")
    assert report.imported == ("one",) and [str(p) for p in report.problems] == ["line 2: not JSON: skipped"]


def test_the_format_is_recognised_or_must_be_named(tmp_path: Path) -> None:
    assert [detect(p).name for p in (ZENDESK, INTERCOM, FOLDER)] == ["zendesk", "intercom", "folder"]
    other = tmp_path / "other.json"
    other.write_text('{"posts": []}')
    with pytest.raises(
        ExportError, match=re.escape("cannot tell which help centre this export is from; pass --from zendesk|intercom|folder")
    ):
        detect(other)
    with pytest.raises(ExportError, match="no such file or folder"):
        detect(tmp_path / "missing.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ExportError, match=re.escape("no .html, .htm or .md files")):
        run(tmp_path / "empty", tmp_path / "kb")


# ---------------------------------------------------------------------- articles without intents


def test_an_article_may_have_no_intents_but_needs_the_field(tmp_path: Path) -> None:
    text = "---\nid: a\ntitle: A\nintents: []\naudience: customer\nlast_reviewed: 2026-11-01\nowner: x\n---\n# A\n\nText.\n"
    (tmp_path / "a.md").write_text(text)
    article, problems = parse_article(tmp_path / "a.md")
    assert problems == [] and article is not None and article.intents == () and article.source is None
    (tmp_path / "a.md").write_text(text.replace("intents: []\n", ""))
    assert "missing required field 'intents'" in str(parse_article(tmp_path / "a.md")[1][0])
    (tmp_path / "a.md").write_text(text.replace("owner: x\n", "owner: x\nsource: zendesk\n"))
    assert "source must be a mapping with 'system' and 'id'" in str(parse_article(tmp_path / "a.md")[1][0])


def test_an_imported_article_without_intents_is_answered_through_retrieval(tmp_path: Path, encoder: SentenceEncoder) -> None:
    """Among the bundled articles, which all have intents (and their customers' phrasings) and questions,
    an imported article with neither still ranks first for a question it answers."""
    kb = tmp_path / "kb"
    shutil.copytree(BUNDLED_ARTICLES, kb)
    run(ZENDESK, kb)
    intents = load_data(BUNDLED_INTENTS)
    phrasings: list[tuple[str, str]] = []  # a few customer phrasings of every intent, as the bundled index has
    for example in intents.examples:
        if example.label in intents.intents and sum(label == example.label for label, _ in phrasings) < 8:
            phrasings.append((example.label, example.text))
    index, _ = KnowledgeIndex.build(load_knowledge_base(kb, intents.labels), encoder, tmp_path / "index", phrasings=phrasings)
    assert index.kb.articles[OFFLINE].intents == () and index.kb.articles[OFFLINE].questions == ()
    assert index.search("can I keep working on my tasks on a plane with no wifi?", k=1)[0].article_id == OFFLINE
    assert index.search("how do I resolve a sync conflict", k=1)[0].article_id == SYNC
    assert index.search("where do I download my invoices", k=1)[0].article_id == "download-invoices-and-receipts"
    answer = Resolver(index).answer(
        ResolveRequest("can I use the desktop app without an internet connection?", "talk_to_human", 0.4)
    )
    assert isinstance(answer, Answer) and answer.article_id == OFFLINE and answer.source == "retrieval"
