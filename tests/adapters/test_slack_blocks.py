"""Slack Block Kit rendering: every message Slack would accept, long text split without loss, cards
truncated with a note, stale buttons retired, and customer text escaped wherever it lands."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.slack.blocks import (
    SlackMessage,
    parse_action_id,
    render_card,
    render_draft,
    render_notice,
    render_rating,
    render_reply,
    retire,
    split,
    unescape,
)
from bot.adapters.slack.modals import edit_draft_modal, modal_text, reply_modal
from bot.adapters.slack.mrkdwn import render
from bot.core.events import AgentCard, AgentNotice, Button, CardField, CustomerReply, DraftCard, Place, RatingRequest
from bot.core.text import Rich, Span, join, link, name, rich, said, strong

PLACE = Place("slack", "C1", "1700000000.000100")
ANSWER_BUTTONS = (
    Button("That solved it", "answer.solved", "7", "primary"),
    Button("Not quite", "answer.not_quite", "7"),
    Button("Talk to a person", "handoff.request", "7"),
)
TICKET_BUTTONS = (
    Button("Claim", "ticket.claim", "12", "primary"),
    Button("Resolve", "ticket.resolve", "12"),
    Button("Hand back to bot", "ticket.handback", "12"),
)
DRAFT_BUTTONS = (
    Button("Approve", "draft.approve", "4", "primary"),
    Button("Edit", "draft.edit", "4"),
    Button("Reject", "draft.reject", "4", "danger"),
)
CSAT_BUTTONS = tuple(Button(str(n), "csat.rate", f"7:{n}") for n in range(1, 6))
FAST = settings(max_examples=150, deadline=None, database=None)


# The checker ---------------------------------------------------------------------------------------


def assert_valid_message(msg: SlackMessage) -> None:
    """Everything Slack enforces on a message, plus mrkdwn that no split or cut has broken."""
    assert isinstance(msg, SlackMessage)
    json.dumps(msg.kwargs())
    assert msg.text.strip() and len(msg.text) <= 4000
    assert_well_formed(msg.text)
    assert 1 <= len(msg.blocks) <= 50
    ids = [b["block_id"] for b in msg.blocks if "block_id" in b]
    assert len(ids) == len(set(ids)) and all(0 < len(i) <= 255 for i in ids)
    for block in msg.blocks:
        CHECKS[block["type"]](block)


def assert_text(obj: dict[str, Any], limit: int, kind: str | None = None) -> None:
    assert obj["type"] in ({kind} if kind else {"mrkdwn", "plain_text"})
    assert obj["text"].strip() and len(obj["text"]) <= limit
    if obj["type"] == "mrkdwn":
        assert_well_formed(obj["text"])


def assert_well_formed(mrkdwn: str) -> None:
    """No broadcast, no half link, no half entity, no quote marker without its space."""
    assert "<!" not in mrkdwn and "<@" not in mrkdwn
    unlinked = re.sub(r"<[^<>]*>", "", mrkdwn)
    assert all(line.startswith("> ") for line in unlinked.split("\n") if line.startswith(">")), mrkdwn[-200:]
    bare = re.sub(r"(?m)^> ", "", unlinked)
    assert "<" not in bare and ">" not in bare, mrkdwn[-200:]
    assert all(re.match(r"&(amp|lt|gt);", mrkdwn[m.start() :]) for m in re.finditer("&", mrkdwn)), mrkdwn[-200:]


def check_section(block: dict[str, Any]) -> None:
    assert "text" in block or "fields" in block
    if "text" in block:
        assert_text(block["text"], 3000)
    fields = block.get("fields", [])
    assert len(fields) <= 10
    for field in fields:
        assert_text(field, 2000)


def check_header(block: dict[str, Any]) -> None:
    assert_text(block["text"], 150, "plain_text")


def check_context(block: dict[str, Any]) -> None:
    assert 1 <= len(block["elements"]) <= 10
    for element in block["elements"]:
        assert_text(element, 3000)


def check_actions(block: dict[str, Any]) -> None:
    elements = block["elements"]
    assert 1 <= len(elements) <= 25
    assert len({e["action_id"] for e in elements}) == len(elements)
    for element in elements:
        assert element["type"] == "button"
        assert_text(element["text"], 75, "plain_text")
        assert 0 < len(element["action_id"]) <= 255
        assert 0 < len(element.get("value", "x")) <= 2000
        assert element.get("style", "primary") in ("primary", "danger")


CHECKS = {"section": check_section, "header": check_header, "context": check_context, "actions": check_actions}


def assert_valid_modal(view: dict[str, Any]) -> None:
    json.dumps(view)
    assert view["type"] == "modal" and 0 < len(view["callback_id"]) <= 255 and len(view["private_metadata"]) <= 3000
    for key in ("title", "submit", "close"):
        assert_text(view[key], 24, "plain_text")
    assert len(view["blocks"]) <= 100
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            assert element["type"] == "plain_text_input" and element["max_length"] <= 3000
            assert len(element.get("initial_value", "")) <= element["max_length"]
            assert_text(block["label"], 2000, "plain_text")
        else:
            CHECKS[block["type"]](block)


def sections(messages: list[SlackMessage]) -> list[str]:
    return [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]


def buttons_of(msg: SlackMessage) -> list[dict[str, Any]]:
    return [e for b in msg.blocks if b["type"] == "actions" for e in b["elements"]]


def squash(text: str) -> str:
    return " ".join(text.split())


def long_answer(size: int) -> Rich:
    parts: list[Rich | Span | str] = [strong("Resetting SSO for a whole workspace")]
    n = 0
    while len(str(join(parts, "\n\n"))) < size:
        n += 1
        parts.append(f"Step {n}: open Settings & Admin → Security, then choose <Reset> for every member; " * 4)
        parts.append(join(["See ", link(f"the guide, part {n}", f"https://help.example.com/sso?part={n}&lang=en"), "."]))
        if n % 3 == 0:
            parts.append(said(f"customer wrote: my <!channel> team & I tried step {n}\nand it *still* fails"))
    return join(parts, "\n\n")


# Replies -------------------------------------------------------------------------------------------


def test_a_short_reply_is_one_message_with_its_buttons() -> None:
    [msg] = render_reply(CustomerReply(PLACE, rich("Hi! Here is how."), "answer", ANSWER_BUTTONS))
    assert_valid_message(msg)
    assert msg.blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": "Hi! Here is how."}}
    assert [e["action_id"] for e in buttons_of(msg)] == ["answer.solved#0", "answer.not_quite#1", "handoff.request#2"]
    assert [e.get("style") for e in buttons_of(msg)] == ["primary", None, None]
    assert buttons_of(msg)[0]["value"] == "7"


def test_an_agent_reply_names_the_agent_escaped() -> None:
    [msg] = render_reply(CustomerReply(PLACE, rich("On it."), "relay", author="Sam <!here> *boss*"))
    assert_valid_message(msg)
    byline = msg.blocks[0]["elements"][0]["text"]
    assert byline.startswith("*Sam &lt;!here&gt; ∗boss∗* · support team")
    assert msg.blocks[1]["text"]["text"] == "On it."


def test_a_20000_character_answer_is_split_into_messages_without_loss() -> None:
    text = long_answer(20_000)
    assert len(render(text)) >= 20_000
    messages = render_reply(CustomerReply(PLACE, text, "answer", ANSWER_BUTTONS))
    assert len(messages) >= 5
    for msg in messages:
        assert_valid_message(msg)
    assert squash("\n".join(sections(messages))) == squash(render(text))
    assert [bool(buttons_of(m)) for m in messages] == [False] * (len(messages) - 1) + [True]


def test_links_entities_and_quote_prefixes_are_never_split() -> None:
    words = "word " * 590  # 2950 characters, then atoms straddling the 3000 boundary
    label = link("a label with many words " * 4, "https://example.com/a?b=1&c=2")
    for tail in (label, "&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&", "x" * 47 + "&<>" * 30):
        rendered = render(rich(words) + tail + " and the end")
        pieces = split(rendered)
        assert len(pieces) >= 2
        for piece in pieces:
            assert len(piece) <= 3000
            assert_well_formed(piece)
        assert squash(" ".join(pieces)) == squash(rendered)
    # One word with no break at all: the hard cut still lands between entities.
    for piece in split(render(rich("&" * 2000))):
        assert_well_formed(piece)
    # A quote starting exactly at the limit: never split between `>` and its space.
    for pad in range(2990, 3003):
        for piece in split(render(join(["a" * pad, said("hello there")]))):
            assert_well_formed(piece)


def test_a_long_quoted_line_stays_quoted_in_every_piece() -> None:
    customer = "please stop <!channel> & &gt; fake line " * 300  # one line, 12,000 characters
    messages = render_reply(CustomerReply(PLACE, rich(said(customer)), "relay"))
    assert len(messages) > 1
    for msg in messages:
        assert_valid_message(msg)
    for text in sections(messages):
        assert all(line.startswith("> ") for line in text.splitlines())
        assert "&lt;!channel&gt;" in text


def test_a_link_longer_than_a_section_becomes_plain_text_and_is_split() -> None:
    url = "https://example.com/" + "a" * 4000 + "?x=1&y=2"
    for text in (rich(said(f"see {url} please")), join(["see ", link("the long one", url), " please"])):
        rendered = render(text)
        pieces = split(rendered)
        assert len(pieces) >= 2
        for piece in pieces:
            assert len(piece) <= 3000
            assert_well_formed(piece)
        joined = "".join(p.removeprefix("> ") for p in pieces)
        assert "https://example.com/" in joined and "?x=1&amp;y=2" in joined and "<" not in joined
    assert " ".join(split(render(join(["see ", link("the long one", url)])))).startswith(
        "see the long one (https://example.com/aaa"
    )


def test_an_empty_reply_with_buttons_is_still_valid() -> None:
    [msg] = render_reply(CustomerReply(PLACE, Rich(), "clarify", ANSWER_BUTTONS))
    assert_valid_message(msg)
    assert [b["type"] for b in msg.blocks] == ["actions"]


def test_many_buttons_spread_over_actions_blocks() -> None:
    many = tuple(Button(f"Option {i} " + "x" * 100, "clarify.pick", f"7:intent_{i}") for i in range(30))
    [msg] = render_reply(CustomerReply(PLACE, rich("Which one?"), "clarify", many))
    assert_valid_message(msg)
    assert [len(b["elements"]) for b in msg.blocks if b["type"] == "actions"] == [25, 5]
    assert buttons_of(msg)[0]["text"]["text"].endswith("…")


def test_notices_split_like_replies_and_name_their_ticket_outside_a_thread() -> None:
    messages = render_notice(AgentNotice(long_answer(9_000), ticket_id=12))
    assert len(messages) > 1
    for msg in messages:
        assert_valid_message(msg)
    assert sections(messages)[0].startswith("Ticket #12: ")
    [threaded] = render_notice(AgentNotice(rich("Sam claimed ticket #12."), 12, "C9/1700000000.000200"))
    assert sections([threaded]) == ["Sam claimed ticket #12."]


@FAST
@given(st.data())
def test_any_reply_yields_valid_messages_that_keep_every_character(data: st.DataObject) -> None:
    text = data.draw(rich_text(), label="text")
    mrkdwn = render(text)
    messages = render_reply(CustomerReply(PLACE, text, "answer", ANSWER_BUTTONS))
    for msg in messages:
        assert_valid_message(msg)
    joined = iter("".join(sections(messages)))
    assert all(char in joined for char in mrkdwn if not char.isspace())  # in order: `in` consumes the iterator
    assert [bool(buttons_of(m)) for m in messages] == [False] * (len(messages) - 1) + [True]


@st.composite
def rich_text(draw: st.DrawFn) -> Rich:
    """Up to 12,000 characters of mixed spans, with long runs so that splitting actually happens."""
    alphabet = st.sampled_from([*"ab &<>*_`~|@!\n\n      ", "https://x.io/p?q=1&r=2 ", "<!channel>", "&amp;", "> ", "\u2028"])
    chunk = st.builds(lambda parts, times: "".join(parts) * times, st.lists(alphabet, max_size=40), st.integers(1, 400))
    kinds = st.sampled_from(["plain", "strong", "said", "name", "link"])
    spans = []
    total = 0
    for kind, body in draw(st.lists(st.tuples(kinds, chunk), max_size=12)):
        body = body[: 12_000 - total]
        total += len(body)
        if kind == "link" and body:  # a link too long for a section loses its brackets: tested on its own
            spans.append(link(body[:500], "https://example.com/q?a=1&b=<2>"))
        else:
            spans.append(
                {"plain": Span(body), "strong": strong(body), "said": said(body), "name": name(body)}.get(kind, Span(body))
            )
    return Rich(tuple(spans))


# Ratings, cards, drafts ----------------------------------------------------------------------------


def test_csat_buttons_have_unique_action_ids() -> None:
    msg = render_rating(RatingRequest(PLACE, 7, rich("How did we do?"), CSAT_BUTTONS))
    assert_valid_message(msg)
    ids = [e["action_id"] for e in buttons_of(msg)]
    assert ids == [f"csat.rate#{i}" for i in range(5)]
    assert {parse_action_id(i) for i in ids} == {"csat.rate"}
    assert [e["value"] for e in buttons_of(msg)] == [f"7:{n}" for n in range(1, 6)]


def test_parse_action_id_round_trips_every_core_action() -> None:
    from bot.core.buttons import AGENT_ACTIONS, CUSTOMER_ACTIONS

    names = {*AGENT_ACTIONS, *CUSTOMER_ACTIONS, "ticket.claim", "draft.edit", "csat.rate", "answer.not_quite", "clarify.pick"}
    for action in names:
        for index in (0, 4, 99):
            [msg] = render_reply(CustomerReply(PLACE, rich("x"), "answer", (Button("Go", action, "1"),) * (index + 1)))
            assert parse_action_id(buttons_of(msg)[index]["action_id"]) == action
    assert parse_action_id("slack.reply#99") == "slack.reply"
    assert parse_action_id("legacy") == "legacy"


def card(sections: tuple[tuple[str, Rich], ...] = (), fields: tuple[CardField, ...] = ()) -> AgentCard:
    fields = fields or (
        CardField("Customer", join([name("Dana <!channel>"), " · enterprise"])),
        CardField("Priority", rich("urgent")),
    )
    return AgentCard(12, "Ticket #12 · URGENT · sso_login", "urgent", fields, sections, TICKET_BUTTONS)


def test_a_card_has_header_fields_sections_and_a_reply_button() -> None:
    msg = render_card(card((("Summary", join(["• ", said("SSO is down <!channel>")])), ("Transcript", rich("...")))))
    assert_valid_message(msg)
    assert [b.get("block_id") for b in msg.blocks] == ["card_title", "card_fields", "section_0", "section_1", "card_actions"]
    assert msg.blocks[0]["text"]["text"] == "Ticket #12 · URGENT · sso_login"
    assert msg.blocks[1]["fields"][0]["text"] == "*Customer*\nDana &lt;!channel&gt; · enterprise"
    assert msg.blocks[2]["text"]["text"] == "*Summary*\n• \n> SSO is down &lt;!channel&gt;"
    reply = buttons_of(msg)[-1]
    assert (reply["action_id"], reply["value"], reply["text"]["text"]) == ("slack.reply#99", "12", "Reply to customer")
    assert [e["action_id"] for e in buttons_of(render_card(card(), reply_button=False))] == [
        "ticket.claim#0",
        "ticket.resolve#1",
        "ticket.handback#2",
    ]


def test_customer_text_in_a_card_never_pings() -> None:
    msg = render_card(card((("Transcript", join(["10:02 customer: ", said("<!channel> <!here> <@U1> help")])),)))
    assert_valid_message(msg)
    wire = json.dumps(msg.kwargs())
    assert "&lt;!channel&gt;" in wire and "&lt;!here&gt;" in wire
    assert "<!" not in wire and "<@" not in wire


def test_a_50000_character_transcript_is_truncated_with_a_note() -> None:
    lines = [join([f"10:{i % 60:02d} customer: ", said(f"line {i} of my problem & it <still> fails " * 3)]) for i in range(400)]
    transcript = join(lines, "\n")
    assert len(render(transcript)) > 50_000
    msg = render_card(card((("Transcript", transcript),)))
    assert_valid_message(msg)
    text = msg.blocks[2]["text"]["text"]
    note = re.search(r"\n… \(truncated: (\d+) more characters; the full transcript is stored with ticket #12\)$", text)
    assert note and len(text) <= 3000
    assert len(text) - len(note.group()) + int(note.group(1)) == len(render(rich(strong("Transcript")) + "\n" + transcript))


def test_oversized_fields_and_too_many_sections_still_fit() -> None:
    fields = tuple(CardField(f"Field {i}", rich(said("x" * 2500))) for i in range(12))
    sections = tuple((f"Section {i}", rich(f"body {i}")) for i in range(60))
    msg = render_card(card(sections, fields))
    assert_valid_message(msg)
    kinds = [b.get("block_id") for b in msg.blocks]
    assert kinds[:3] == ["card_title", "card_fields", "card_fields_1"] and kinds[-1] == "card_actions"
    assert "sections_omitted" in kinds and len(msg.blocks) <= 49  # one left for `retire`'s note
    omitted = next(b for b in msg.blocks if b.get("block_id") == "sections_omitted")["elements"][0]["text"]
    assert "*Section 59*" in omitted and "ticket #12" in omitted


def test_a_draft_card_quotes_the_customer_and_shows_the_draft() -> None:
    draft = DraftCard(4, 7, "billing_refund", 0.62, "refund me <!channel>\n> now", rich("Sure & thanks!"), DRAFT_BUTTONS)
    msg = render_draft(draft)
    assert_valid_message(msg)
    assert msg.blocks[0]["text"]["text"] == "Draft #4 for review · billing_refund (62%)"
    question = next(b for b in msg.blocks if b.get("block_id") == "draft_question")["text"]["text"]
    assert question == "*Customer asked*\n> refund me &lt;!channel&gt;\n> \u00ad&gt; now"
    assert next(b for b in msg.blocks if b.get("block_id") == "draft_text")["text"]["text"] == "Sure &amp; thanks!"
    assert unescape("Sure &amp; thanks!") == "Sure & thanks!"
    assert [e["action_id"] for e in buttons_of(msg)] == ["draft.approve#0", "draft.edit#1", "draft.reject#2"]


def test_a_long_draft_is_truncated_with_a_note() -> None:
    msg = render_draft(DraftCard(4, 7, "x", 0.5, "q " * 4000, rich("word " * 2000), DRAFT_BUTTONS))
    assert_valid_message(msg)
    text = next(b for b in msg.blocks if b.get("block_id") == "draft_text")["text"]["text"]
    assert text.endswith("more characters; the full draft is stored with draft #4)")


# Retiring buttons ----------------------------------------------------------------------------------


def test_retire_removes_actions_and_is_idempotent() -> None:
    messages = render_reply(CustomerReply(PLACE, long_answer(5_000), "answer", ANSWER_BUTTONS))
    last = messages[-1]
    once = retire(last.blocks, rich("Answered: ") + name("Dana <!here>"))
    assert not [b for b in once if b["type"] == "actions"]
    assert once[-1]["block_id"] == "retired" and "&lt;!here&gt;" in once[-1]["elements"][0]["text"]
    assert retire(once, rich("Answered: ") + name("Dana <!here>")) == once
    assert retire(once, rich("Closed")) == (*once[:-1], {**once[-1], "elements": [{"type": "mrkdwn", "text": "Closed"}]})
    assert retire(once, Rich()) == once[:-1]
    assert_valid_message(SlackMessage(last.text, once))


def test_retire_fits_even_a_full_card() -> None:
    msg = render_card(card(tuple((f"S{i}", rich("b")) for i in range(80))))
    assert_valid_message(SlackMessage(msg.text, retire(msg.blocks, rich("Claimed by Sam"))))


# Modals --------------------------------------------------------------------------------------------


def submission(text: str | None) -> dict[str, Any]:
    return {"text": {"text": {"type": "plain_text_input", "value": text}}}


def test_reply_modal_within_limits_and_read_back() -> None:
    view = reply_modal(12, "Dana <!channel>")
    assert_valid_modal(view)
    assert (view["callback_id"], view["private_metadata"]) == ("slack.reply", "12")
    assert (view["submit"]["text"], view["close"]["text"]) == ("Send", "Cancel")
    assert "&lt;!channel&gt;" in json.dumps(view)
    assert modal_text(submission("Hi Dana,\nfixed now & thanks!")) == "Hi Dana,\nfixed now & thanks!"
    assert modal_text(submission(None)) == "" and modal_text({}) == ""


def test_edit_draft_modal_prefills_the_draft() -> None:
    view = edit_draft_modal(4, "Sure & <b>thanks</b>!")
    assert_valid_modal(view)
    assert (view["callback_id"], view["private_metadata"], view["submit"]["text"]) == ("slack.edit_draft", "4", "Save and send")
    assert view["blocks"][0]["element"]["initial_value"] == "Sure & <b>thanks</b>!"
    assert modal_text(submission(view["blocks"][0]["element"]["initial_value"])) == "Sure & <b>thanks</b>!"


def test_a_long_draft_is_cut_at_a_word_in_the_modal_and_says_so() -> None:
    view = edit_draft_modal(123_456_789_012_345, "lorem ipsum " * 400)
    assert_valid_modal(view)
    initial = view["blocks"][0]["element"]["initial_value"]
    assert len(initial) <= 3000 and initial.endswith("ipsum")
    assert view["blocks"][-1]["block_id"] == "cut" and "replaces the whole draft" in view["blocks"][-1]["elements"][0]["text"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 3000])
def test_edit_modal_edges(text: str) -> None:
    view = edit_draft_modal(1, text)
    assert_valid_modal(view)
    assert view["blocks"][-1].get("block_id") != "cut"
