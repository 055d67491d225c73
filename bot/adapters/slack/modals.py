"""The modals an agent fills in from a card: a reply to the customer, and an edited draft.

Both carry the id they act on in `private_metadata` and the text in one input (`block_id` and
`action_id` both `text`), so `modal_text` reads either back from a `view_submission`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.adapters import markup
from bot.adapters.slack.mrkdwn import render
from bot.core.text import join, name

REPLY_CALLBACK = "slack.reply"
EDIT_DRAFT_CALLBACK = "slack.edit_draft"
MODAL_TEXT = 24  # title, submit, close
INPUT_TEXT = 3000  # plain_text_input initial_value and max_length
LABEL_TEXT = 200  # a customer's name in the intro, so the context stays far below 3000 after escaping
TEXT = "text"


def reply_modal(ticket_id: int, customer_label: str) -> dict[str, Any]:
    """The view for "Reply to customer": what the agent writes goes to the customer as-is."""
    label = name(customer_label.strip()[:LABEL_TEXT] or "the customer")
    intro = render(join([f"Replying on ticket #{ticket_id} to ", label, "; the customer sees exactly what you write."]))
    blocks = [_context(intro), _input("Your reply", "")]
    return _modal(REPLY_CALLBACK, "Reply to customer", "Send", ticket_id, blocks)


def edit_draft_modal(draft_id: int, draft_text: str) -> dict[str, Any]:
    """The view for a draft's Edit button; a draft longer than Slack's input allows is cut at a word and
    the agent is told, since sending replaces the whole draft with what the box holds."""
    initial = markup.word_cut(draft_text, INPUT_TEXT)
    blocks = [_input("Answer sent to the customer", initial)]
    if len(initial) < len(draft_text.strip()):
        warning = (
            f"This draft is {len(draft_text):,} characters; a Slack form holds {INPUT_TEXT:,}, so only the first "
            f"{len(initial):,} are shown. Sending replaces the whole draft with the text above."
        )
        blocks.append(_context(warning, "cut"))
    return _modal(EDIT_DRAFT_CALLBACK, f"Edit draft #{draft_id}", "Save and send", draft_id, blocks)


def modal_text(view_state_values: Mapping[str, Any]) -> str:
    """The text submitted in either modal, from a view_submission's `view.state.values` ("" if left empty)."""
    block = view_state_values.get(TEXT)
    element = block.get(TEXT) if isinstance(block, Mapping) else None
    value = element.get("value") if isinstance(element, Mapping) else None
    return value if isinstance(value, str) else ""


def _modal(callback_id: str, title: str, submit: str, subject_id: int, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": str(subject_id),
        "title": _plain(title, MODAL_TEXT),
        "submit": _plain(submit, MODAL_TEXT),
        "close": _plain("Cancel", MODAL_TEXT),
        "blocks": blocks,
    }


def _input(label: str, initial: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": TEXT, "multiline": True, "max_length": INPUT_TEXT}
    if initial:  # Slack rejects an empty initial_value
        element["initial_value"] = initial
    return {"type": "input", "block_id": TEXT, "label": _plain(label, 2000), "element": element}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…", "emoji": True}


def _context(mrkdwn: str, block_id: str = "intro") -> dict[str, Any]:
    return {"type": "context", "block_id": block_id, "elements": [{"type": "mrkdwn", "text": mrkdwn}]}
