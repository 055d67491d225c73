"""Discord rendering: every message Discord would accept, long text split without loss, cards truncated
with a note, custom ids that carry the core action and value, stale buttons retired, and customer text
escaped wherever it lands."""

from __future__ import annotations

import json
import re
from typing import Any

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.discord.markdown import render
from bot.adapters.discord.render import (
    NO_PINGS,
    DiscordMessage,
    edit_draft_modal,
    modal_text,
    parse_custom_id,
    render_card,
    render_draft,
    render_notice,
    render_rating,
    render_reply,
    render_retired,
    reply_modal,
    split,
    view_for,
)
from bot.core.events import (
    AgentCard,
    AgentNotice,
    Button,
    CardField,
    CustomerReply,
    DraftCard,
    Place,
    RatingRequest,
    RetireButtons,
)
from bot.core.text import Rich, Span, code, join, link, name, rich, said, strong

PLACE = Place("discord", "100", "200")
ANSWER_BUTTONS = (
    Button("That solved it", "answer.solved", "7", "primary"),
    Button("Not quite", "answer.not_quite", "7"),
    Button("Talk to a person", "handoff.request", "7"),
)
TICKET_BUTTONS = (
    Button("Claim", "ticket.claim", "12", "primary"),
    Button("Resolve", "ticket.resolve", "12"),
    Button("Hand back to bot", "ticket.handback", "12", "danger"),
)
DRAFT_BUTTONS = (
    Button("Approve", "draft.approve", "4", "primary"),
    Button("Edit", "draft.edit", "4"),
    Button("Reject", "draft.reject", "4", "danger"),
)
CSAT_BUTTONS = tuple(Button(str(n), "csat.rate", f"12:{n}") for n in range(1, 6))
PINGS = ("@everyone", "@here", "<@&123>", "<@!1>", "<@1>")
NASTY = "@everyone @here <@&123> <@!1> <#5> <t:1:R> **bold** __u__ ~~s~~ ||spoiler|| `code` [x](https://evil.io) # head\n- item\n1. one\n> fake\n-# sub"
FAST = settings(max_examples=150, deadline=None, database=None)
STYLES = {"primary": 1, "default": 2, "danger": 4}


# The checker ---------------------------------------------------------------------------------------


def assert_valid(msg: DiscordMessage) -> None:
    """Everything Discord enforces on a message, plus markdown that no split or cut has broken."""
    assert isinstance(msg, DiscordMessage)
    assert len(msg.content) <= 2000
    assert msg.content.strip() or msg.embeds or msg.buttons
    assert_well_formed(msg.content)
    assert len(msg.embeds) <= 10
    total = 0
    for embed in msg.embeds:
        data = embed.to_dict()
        json.dumps(data)
        title, description = data.get("title", ""), data.get("description", "")
        footer, author = data.get("footer", {}).get("text", ""), data.get("author", {}).get("name", "")
        fields = data.get("fields", [])
        assert len(title) <= 256 and len(description) <= 4096 and len(footer) <= 2048 and len(author) <= 256
        assert len(fields) <= 25
        for field in fields:
            assert field["name"].strip() and len(field["name"]) <= 256
            assert field["value"].strip() and len(field["value"]) <= 1024
            assert_well_formed(field["value"])
        assert_well_formed(description)
        for text in (title, footer, author):
            assert_no_pings(text)
        total += len(title) + len(description) + len(footer) + len(author) + sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000
    assert_valid_buttons(msg.buttons)


def assert_valid_buttons(buttons: tuple[Button, ...]) -> None:
    view = view_for(buttons)
    if not buttons:
        assert view is None
        return
    assert view is not None and view.timeout is None and view.is_persistent()
    rows = view.to_components()
    assert 1 <= len(rows) <= 5 and all(1 <= len(row["components"]) <= 5 for row in rows)
    items = [c for row in rows for c in row["components"]]
    ids = [c["custom_id"] for c in items]
    assert len(set(ids)) == len(ids) and all(len(i) <= 100 for i in ids)
    assert [parse_custom_id(i) for i in ids] == [(b.action, b.value) for b in buttons]
    assert all(1 <= len(c["label"]) <= 80 for c in items)
    assert [c["style"] for c in items] == [STYLES[b.style] for b in buttons]


def assert_no_pings(text: str) -> None:
    assert not any(ping in text for ping in PINGS), text


def assert_well_formed(markdown: str) -> None:
    """No ping; no half link, escape or `<…>` form; no quote marker without its space."""
    assert_no_pings(markdown)
    assert all(line.startswith("> ") for line in markdown.split("\n") if line.startswith(">")), markdown[-200:]
    bare = re.sub(r"\\.", "x", markdown)
    bare = re.sub(r"<[^\s<>]+>|\[[^\[\]\n]*\]\([^()\s]*\)", "", bare)
    assert "\\" not in bare and "[" not in bare and "]" not in bare, markdown[-200:]
    assert all(bare.startswith("\u200b", m.end()) for m in re.finditer("<", bare)), markdown[-200:]


def assert_valid_modal(modal: discord.ui.Modal) -> None:
    data = modal.to_dict()
    json.dumps(data)
    assert 0 < len(data["title"]) <= 45 and 0 < len(data["custom_id"]) <= 100
    [row] = data["components"]
    [text] = row["components"]
    assert (text["type"], text["style"], text["custom_id"]) == (4, 2, "text")
    assert 0 < len(text["label"]) <= 45 and text["max_length"] <= 4000
    assert len(text.get("value", "")) <= 4000 and len(text.get("placeholder", "")) <= 100


def contents(messages: list[DiscordMessage]) -> list[str]:
    return [m.content for m in messages]


def wire(msg: DiscordMessage) -> str:
    return msg.content + json.dumps([e.to_dict() for e in msg.embeds], ensure_ascii=False)


def markdown_of(msg: DiscordMessage) -> str:
    """Every text Discord reads as markdown: the content, descriptions and field values."""
    embeds = [e.to_dict() for e in msg.embeds]
    parts = [msg.content] + [e.get("description", "") for e in embeds] + [f["value"] for e in embeds for f in e.get("fields", [])]
    return "\n".join(parts)


def squash(text: str) -> str:
    return " ".join(text.split())


def long_answer(size: int) -> Rich:
    parts: list[Rich | Span | str] = [strong("Resetting SSO for a whole workspace")]
    n = 0
    while len(str(join(parts, "\n\n"))) < size:
        n += 1
        parts.append(f"Step {n}: open Settings → Security, then choose Reset for every member of the team; " * 4)
        parts.append(join(["See ", link(f"the guide, part {n}", f"https://help.example.com/sso?part={n}&lang=en"), "."]))
        if n % 3 == 0:
            parts.append(said(f"customer wrote: my @everyone team & I tried step {n} <https://x.io/a_b>\nand it *still* fails"))
    return join(parts, "\n\n")


# Replies -------------------------------------------------------------------------------------------


def test_a_short_reply_is_one_message_with_its_buttons() -> None:
    [msg] = render_reply(CustomerReply(PLACE, rich("Hi! Here is how."), "answer", ANSWER_BUTTONS))
    assert_valid(msg)
    assert (msg.content, msg.embeds, msg.buttons) == ("Hi! Here is how.", (), ANSWER_BUTTONS)
    view = view_for(msg.buttons)
    assert view is not None
    assert [c["custom_id"] for row in view.to_components() for c in row["components"]] == [
        "sb:answer.solved:7",
        "sb:answer.not_quite:7",
        "sb:handoff.request:7",
    ]
    assert NO_PINGS.everyone is False and NO_PINGS.users is False and NO_PINGS.roles is False


def test_an_agent_reply_names_the_agent_escaped() -> None:
    [msg] = render_reply(CustomerReply(PLACE, rich("On it."), "relay", author="Sam @everyone *boss*"))
    assert_valid(msg)
    assert msg.content == "**Sam @\u200beveryone \\*boss\\*** (support team):\nOn it."


def test_a_9000_character_answer_is_split_into_messages_without_loss() -> None:
    text = long_answer(9_000)
    markdown = render(text)
    assert len(markdown) >= 9_000
    messages = render_reply(CustomerReply(PLACE, text, "answer", ANSWER_BUTTONS))
    assert len(messages) >= 5
    for msg in messages:
        assert_valid(msg)
    assert squash("\n".join(contents(messages))) == squash(markdown)
    assert [m.buttons for m in messages] == [()] * (len(messages) - 1) + [ANSWER_BUTTONS]


def test_links_escapes_and_quote_prefixes_are_never_split() -> None:
    for pad in range(1760, 1801, 3):
        words = "word " * (pad // 5)
        for tail in (
            link("a label with many words " * 4, "https://example.com/a?b=1&c=2"),
            said("see https://example.com/" + "p" * 80 + " now"),
            said("*" * 60),
            said("hello there, this is quoted"),
            rich(name("@everyone" * 10)),
        ):
            rendered = render(rich(words) + tail + " and the end")
            pieces = split(rendered)
            assert len(pieces) >= 2
            for piece in pieces:
                assert len(piece) <= 1800
                assert_well_formed(piece)
            assert squash(" ".join(pieces)) == squash(rendered)
            for atom in re.findall(r"<https?://[^>]*>|\[[^\]]*\]\([^)]*\)", rendered):
                assert any(atom in piece for piece in pieces)
    # One word of escapes with no break at all: the hard cut still lands between them.
    for piece in split(render(rich(said("*" * 3000)))):
        assert_well_formed(piece)
        assert all(line.startswith("> ") for line in piece.split("\n"))


def test_a_long_quoted_line_stays_quoted_in_every_piece() -> None:
    customer = "please stop @everyone - and 1. fake line > # not a heading " * 200  # one line, 12,000 characters
    messages = render_reply(CustomerReply(PLACE, rich(said(customer)), "relay"))
    assert len(messages) > 1
    for msg in messages:
        assert_valid(msg)
        assert all(line.startswith("> ") for line in msg.content.splitlines())
        assert not re.match(r"> (?:[-+*]|\d+\.|#{1,3}|-#) ", msg.content)  # a continuation opens no list or heading


def test_a_link_longer_than_a_message_becomes_escaped_text_and_is_split() -> None:
    url = "https://example.com/" + "a_b" * 1000 + "?x=1"
    for text in (rich(said(f"see {url} please")), join(["see ", link("the long one", url), " please"])):
        pieces = split(render(text))
        assert len(pieces) >= 2
        for piece in pieces:
            assert len(piece) <= 1800
            assert_well_formed(piece)
            unescaped = re.sub(r"\\.", "", piece)
            assert "https:" not in unescaped and "_" not in unescaped  # no autolink, no italics: every `:` and `_` escaped
        assert "https\\://example.com/a\\_b" in "".join(pieces)


def test_an_empty_reply_with_buttons_is_still_valid() -> None:
    [msg] = render_reply(CustomerReply(PLACE, Rich(), "clarify", ANSWER_BUTTONS))
    assert_valid(msg)
    assert (msg.content, msg.buttons) == ("", ANSWER_BUTTONS)


def test_buttons_fill_rows_of_five_with_unique_ids() -> None:
    many = tuple(Button(f"Option {i} " + "x" * 100, "clarify.pick", f"7:intent_{i % 4}") for i in range(25))
    [msg] = render_reply(CustomerReply(PLACE, rich("Which one?"), "clarify", many))
    assert_valid(msg)
    view = view_for(msg.buttons)
    assert view is not None
    rows = view.to_components()
    assert [len(r["components"]) for r in rows] == [5] * 5
    assert rows[0]["components"][0]["label"].endswith("…") and len(rows[0]["components"][0]["label"]) == 80
    assert [c["custom_id"] for c in rows[1]["components"]][:2] == ["sb:clarify.pick:7:intent_1#5", "sb:clarify.pick:7:intent_2#6"]
    with pytest.raises(ValueError):
        view_for((*many, Button("One too many", "clarify.pick", "7:x")))


def test_notices_split_like_replies_and_name_their_ticket_outside_a_thread() -> None:
    messages = render_notice(AgentNotice(long_answer(5_000), ticket_id=12))
    assert len(messages) > 1
    for msg in messages:
        assert_valid(msg)
    assert messages[0].content.startswith("Ticket #12: ")
    [threaded] = render_notice(AgentNotice(rich("Sam claimed ticket #12."), 12, "300/400"))
    assert threaded.content == "Sam claimed ticket #12."


@FAST
@given(st.data())
def test_any_reply_yields_valid_messages_that_keep_every_character(data: st.DataObject) -> None:
    text = data.draw(rich_text(), label="text")
    markdown = render(text)
    messages = render_reply(CustomerReply(PLACE, text, "answer", ANSWER_BUTTONS))
    for msg in messages:
        assert_valid(msg)
    joined = iter("".join(contents(messages)))
    assert all(char in joined for char in markdown if not char.isspace())  # in order: `in` consumes the iterator
    assert [m.buttons for m in messages] == [()] * (len(messages) - 1) + [ANSWER_BUTTONS]


@st.composite
def rich_text(draw: st.DrawFn) -> Rich:
    """Up to 10,000 characters of mixed spans, with long runs so that splitting actually happens. Customer
    spans get every character Discord reads; the bot's own wording is whatever it writes (no brackets)."""
    nasty = st.sampled_from(
        [*"ab *_~`|[]()<>#\\@-+.:!\n\n      ", "https://x.io/p_(q)?r=1 ", "@everyone", "<@&123>", "<@!1>", "> ", "1. ", "\u2028"]
    )
    tame = st.sampled_from([*"ab cd.,:-!1\n      ", "- ", "1. ", "# "])
    chunk = st.builds(
        lambda parts, times: "".join(parts) * times, st.lists(st.one_of(nasty, tame), max_size=40), st.integers(1, 400)
    )
    safe = st.builds(lambda parts, times: "".join(parts) * times, st.lists(tame, max_size=40), st.integers(1, 300))
    kinds = st.sampled_from(["plain", "strong", "code", "said", "name", "link", "quote"])
    spans = []
    total = 0
    for kind in draw(st.lists(kinds, max_size=12)):
        body = draw(chunk if kind in ("said", "name") else safe)[: 10_000 - total]
        total += len(body)
        if kind == "link" and body.strip():
            spans.append(link(body.replace("\n", " "), "https://example.com/q?a=1&b=(2)"))
        elif kind == "code":
            spans.append(code(body.replace("\n", " ")))
        else:
            spans.append(
                {
                    "plain": Span(body),
                    "strong": strong(body),
                    "said": said(body),
                    "name": name(body),
                    "quote": Span(body, "quote"),
                }.get(kind, Span(body))
            )
    return Rich(tuple(spans))


def test_a_rating_request_carries_csat_buttons_with_distinct_values() -> None:
    msg = render_rating(RatingRequest(PLACE, 12, rich("How did we do?"), CSAT_BUTTONS))
    assert_valid(msg)
    view = view_for(msg.buttons)
    assert view is not None
    ids = [c["custom_id"] for row in view.to_components() for c in row["components"]]
    assert ids == [f"sb:csat.rate:12:{n}" for n in range(1, 6)]
    assert parse_custom_id(ids[4]) == ("csat.rate", "12:5")


# Custom ids ----------------------------------------------------------------------------------------


def test_custom_ids_round_trip_every_core_action() -> None:
    from bot.core.buttons import AGENT_ACTIONS, CUSTOMER_ACTIONS

    names = {*AGENT_ACTIONS, *CUSTOMER_ACTIONS, "ticket.claim", "draft.edit", "csat.rate", "answer.not_quite", "clarify.pick"}
    names |= {"discord.reply", "handoff.request", "answer.solved"}
    for action in names:
        for value in ("12", "12:5", "3:howto_export", "", "9" * 40):
            buttons = (Button("Go", action, value), Button("Again", action, value), Button("Other", action, value + "0"))
            assert_valid_buttons(buttons)
    assert parse_custom_id("sb:csat.rate:12:5") == ("csat.rate", "12:5")
    assert parse_custom_id("sb:clarify.pick:3:howto_export#2") == ("clarify.pick", "3:howto_export")
    assert parse_custom_id("sb:ticket.claim:") == ("ticket.claim", "")
    assert parse_custom_id("sb:modal.reply:4") == ("modal.reply", "4")
    assert parse_custom_id("other:thing") is None and parse_custom_id("sb:") is None


def test_a_value_that_would_overflow_the_custom_id_raises() -> None:
    value = "3:" + "x" * (100 - len("sb:clarify.pick:") - 2)
    assert_valid_buttons((Button("Fits exactly", "clarify.pick", value),))
    with pytest.raises(ValueError, match="100"):
        view_for((Button("Too long", "clarify.pick", value + "x"),))
    with pytest.raises(ValueError):  # the duplicate's `#1` would push it over
        view_for((Button("a", "clarify.pick", value), Button("b", "clarify.pick", value)))
    with pytest.raises(ValueError):  # a `#` would be read back as a suffix
        view_for((Button("a", "clarify.pick", "3#4"),))


# Cards and drafts ----------------------------------------------------------------------------------


def card(sections: tuple[tuple[str, Rich], ...] = (), fields: tuple[CardField, ...] = (), priority: str = "urgent") -> AgentCard:
    fields = fields or (
        CardField("Customer", join([name("Dana @everyone <@&123>"), " · enterprise"])),
        CardField("Priority", rich("urgent")),
        CardField("History", rich("3 past tickets (sso_login, billing_refund, export_data), CSAT 4.5; continues #7")),
    )
    return AgentCard(
        ticket_id=12,
        title=f"Ticket #12 · {priority.upper()} · sso_login",
        priority=priority,
        fields=fields,
        sections=sections,
        buttons=TICKET_BUTTONS,
    )


def test_a_card_is_one_embed_with_fields_sections_and_a_reply_button() -> None:
    msg = render_card(card((("Summary", join(["• ", said("SSO is down <@!1>")])), ("Transcript", rich("...")))))
    assert_valid(msg)
    assert msg.content == "New ticket #12 · URGENT"
    [embed] = msg.embeds
    data = embed.to_dict()
    assert (data["title"], data["color"]) == ("Ticket #12 · URGENT · sso_login", 0xE01E5A)
    assert [(f["name"], f["inline"]) for f in data["fields"]] == [("Customer", True), ("Priority", True), ("History", False)]
    assert data["fields"][0]["value"] == "Dana @\u200beveryone <\u200b@&123\\> · enterprise"
    assert data["description"] == "**Summary**\n• \n> SSO is down <\u200b@!1\\>\n\n**Transcript**\n..."
    assert msg.buttons == (*TICKET_BUTTONS, Button("Reply to customer", "discord.reply", "12"))
    assert render_card(card(), reply_button=False).buttons == TICKET_BUTTONS


@pytest.mark.parametrize(
    ("priority", "colour"), [("urgent", 0xE01E5A), ("high", 0xF2994A), ("normal", 0x3B82F6), ("low", 0x9CA3AF)]
)
def test_card_colour_follows_priority(priority: str, colour: int) -> None:
    msg = render_card(card(priority=priority))
    assert_valid(msg)
    assert msg.embeds[0].to_dict()["color"] == colour and msg.content == f"New ticket #12 · {priority.upper()}"


def transcript(lines: int) -> Rich:
    return join(
        [
            join([f"10:{i % 60:02d} customer: ", said(f"line {i} of my problem & it <still> fails @everyone " * 3)])
            for i in range(lines)
        ],
        "\n",
    )


def test_a_50000_character_transcript_is_truncated_with_a_note() -> None:
    body = transcript(300)
    assert len(render(body)) > 50_000
    sections = (
        ("Why escalated", rich("• frustration: said so twice")),
        ("Summary", rich(said("SSO is down"))),
        ("Transcript", body),
    )
    msg = render_card(card(sections))
    assert_valid(msg)
    description = msg.embeds[0].to_dict()["description"]
    assert description.startswith(
        "**Why escalated**\n• frustration: said so twice\n\n**Summary**\n> SSO is down\n\n**Transcript**\n"
    )
    note = re.search(r"\n… \(truncated: (\d+) more characters; the full transcript is stored with ticket #12\)$", description)
    assert note, description[-300:]
    shown = description.split("**Transcript**\n", 1)[1]
    assert len(shown) - len(note.group()) + int(note.group(1)) == len(render(body))


def test_oversized_fields_and_many_big_sections_still_fit() -> None:
    fields = tuple(CardField(f"Field {i} " + "n" * 300, rich(said("x" * 2500))) for i in range(30))
    sections = tuple((f"Section {i}", rich(said(f"body {i} " * 400))) for i in range(40))
    msg = render_card(card(sections, fields))
    assert_valid(msg)
    data = msg.embeds[0].to_dict()
    assert len(data["fields"]) == 25 and data["fields"][-1]["name"] == "More"
    assert "6 more fields not shown" in data["fields"][-1]["value"]
    assert all(f["value"].endswith(("more characters)", "…")) for f in data["fields"][:-1])
    assert re.search(r"… \d+ more sections not shown: \*\*Section \d+\*\*.*; stored with ticket #12$", data["description"])
    assert "**Section 0**" in data["description"]


def test_customer_text_never_pings_anywhere() -> None:
    evil = NASTY + " " + " ".join(PINGS)
    messages = [
        *render_reply(CustomerReply(PLACE, join(["You said: ", said(evil)]), "relay", author=evil)),
        *render_notice(AgentNotice(join(["Customer: ", said(evil)]), 12)),
        render_card(card((("Summary", rich(said(evil))),), (CardField("Customer", rich(name(evil))),))),
        render_draft(DraftCard(4, 7, "billing_refund", 0.62, evil, rich("Sure!"), DRAFT_BUTTONS)),
        render_retired(RetireButtons("1/2", rich("Answered by ") + name(evil), None, card(), ())),
        render_retired(RetireButtons("1/2", rich("Answered by ") + name(evil), PLACE, CustomerReply(PLACE, rich("x"), "answer"))),
    ]
    for msg in messages:
        assert_valid(msg)
        assert_no_pings(wire(msg))
        parsed = markdown_of(msg)  # footers and titles are plain text: Discord shows them as they are
        assert "**bold**" not in parsed and "[x](https://evil.io)" not in parsed and "\n# head" not in parsed


def test_a_draft_card_quotes_the_customer_and_shows_the_draft() -> None:
    msg = render_draft(
        DraftCard(4, 7, "billing_refund", 0.62, "refund me @everyone\n> now", rich("Sure & thanks!"), DRAFT_BUTTONS)
    )
    assert_valid(msg)
    data = msg.embeds[0].to_dict()
    assert data["title"] == "Draft #4 for review · billing_refund (62%)"
    assert data["fields"] == [{"name": "Customer asked", "value": "> refund me @\u200beveryone\n> \\> now", "inline": False}]
    assert data["description"] == "Sure & thanks!"
    assert data["footer"]["text"].startswith("Conversation #7")
    assert msg.buttons == DRAFT_BUTTONS and msg.content == "Draft #4 for review"


def test_a_long_draft_and_question_are_truncated_with_notes() -> None:
    msg = render_draft(DraftCard(4, 7, "x" * 300, 0.5, "q " * 4000, rich("word " * 2000), DRAFT_BUTTONS))
    assert_valid(msg)
    data = msg.embeds[0].to_dict()
    assert data["description"].endswith("more characters; the full draft is stored with draft #4)")
    assert data["fields"][0]["value"].endswith("more characters)") and len(data["title"]) == 256


# Retiring buttons ----------------------------------------------------------------------------------


def test_a_retired_reply_is_its_last_message_with_only_the_kept_buttons_and_the_note() -> None:
    reply = CustomerReply(PLACE, long_answer(5_000), "answer", ANSWER_BUTTONS)
    last = render_reply(reply)[-1]
    retired = render_retired(RetireButtons("1/2", rich("Answered: ") + name("Dana"), PLACE, reply))
    assert_valid(retired)
    assert retired.buttons == () and retired.content == last.content + "\n\n-# Answered: Dana"
    kept = render_retired(RetireButtons("1/2", rich("Still open"), PLACE, reply, (ANSWER_BUTTONS[2],)))
    assert kept.buttons == (ANSWER_BUTTONS[2],)
    assert render_retired(RetireButtons("1/2", Rich(), PLACE, reply)).content == last.content


def test_a_retired_rating_keeps_only_keep() -> None:
    rating = RatingRequest(PLACE, 12, rich("How did we do?"), CSAT_BUTTONS)
    retired = render_retired(RetireButtons("1/2", rich("Thanks for rating 5"), PLACE, rating))
    assert_valid(retired)
    assert (retired.content, retired.buttons) == ("How did we do?\n\n-# Thanks for rating 5", ())


def test_a_claimed_card_keeps_its_buttons_and_shows_the_note_as_footer() -> None:
    original = card((("Transcript", transcript(300)),))
    keep = TICKET_BUTTONS[1:]
    claimed = render_retired(RetireButtons("1/2", rich("Claimed by ") + name("Sam <@1>"), None, original, keep))
    assert_valid(claimed)
    assert claimed.buttons == (*keep, Button("Reply to customer", "discord.reply", "12"))
    assert claimed.embeds[0].to_dict()["footer"]["text"] == "Claimed by Sam <\u200b@1>"
    closed = render_retired(RetireButtons("1/2", rich("Resolved by Sam"), None, original))
    assert_valid(closed)
    assert closed.buttons == () and closed.embeds[0].to_dict()["footer"]["text"] == "Resolved by Sam"


def test_a_retired_draft_has_no_buttons_and_the_note_as_footer() -> None:
    draft = DraftCard(4, 7, "x", 0.5, "q " * 4000, rich("word " * 2000), DRAFT_BUTTONS)
    retired = render_retired(RetireButtons("1/2", rich("Approved by Sam"), None, draft))
    assert_valid(retired)
    assert retired.buttons == () and retired.embeds[0].to_dict()["footer"]["text"] == "Approved by Sam"


# Modals --------------------------------------------------------------------------------------------


def submission(custom_id: str, text: str | None) -> dict[str, Any]:
    return {"custom_id": custom_id, "components": [{"type": 1, "components": [{"type": 4, "custom_id": "text", "value": text}]}]}


def test_reply_modal_within_limits_and_read_back() -> None:
    modal = reply_modal(4)
    assert_valid_modal(modal)
    assert parse_custom_id(modal.custom_id) == ("modal.reply", "4") and modal.custom_id == "sb:modal.reply:4"
    assert modal_text(submission("sb:modal.reply:4", "hi")) == "hi"
    assert modal_text({"type": 5, "data": submission("sb:modal.reply:4", "Hi Dana,\nfixed!")}) == "Hi Dana,\nfixed!"
    labelled = {"components": [{"type": 18, "component": {"type": 4, "custom_id": "text", "value": "new style"}}]}
    assert modal_text(labelled) == "new style"
    assert modal_text(submission("sb:modal.reply:4", None)) == "" and modal_text({}) == ""
    assert_valid_modal(reply_modal(10**40))


def test_edit_draft_modal_prefills_the_draft() -> None:
    modal = edit_draft_modal(4, "Sure & <b>thanks</b>!")
    assert_valid_modal(modal)
    assert modal.custom_id == "sb:modal.edit:4"
    text = modal.to_dict()["components"][0]["components"][0]
    assert (text["value"], text["label"]) == ("Sure & <b>thanks</b>!", "Answer sent to the customer")


def test_a_long_draft_is_cut_at_a_word_in_the_modal_and_says_so() -> None:
    modal = edit_draft_modal(123_456_789, "lorem ipsum " * 800)
    assert_valid_modal(modal)
    text = modal.to_dict()["components"][0]["components"][0]
    assert len(text["value"]) <= 4000 and text["value"].endswith("ipsum")
    assert text["label"].startswith("Answer (cut: first 3,995 of 9,600")


@pytest.mark.parametrize("text", ["", "   ", "x" * 4000, "y" * 5000])
def test_edit_modal_edges(text: str) -> None:
    modal = edit_draft_modal(1, text)
    assert_valid_modal(modal)
    value = modal.to_dict()["components"][0]["components"][0].get("value", "")
    assert value == text.strip()[:4000]
