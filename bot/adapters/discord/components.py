"""Discord components for the core's buttons and the agents' forms.

A custom id carries the core action and value (`sb:ticket.claim:12`), so the adapter handles a press or a
submit from the raw interaction, even after a restart: no view registry, nothing kept between sending and
pressing. An id is never cut (a shortened value would send the press to the wrong ticket), so a value too
long for Discord's 100 characters raises instead. Two buttons with the same action and value get a `#n`
suffix, since Discord refuses a message whose custom ids repeat; `parse_custom_id` strips it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import discord

from bot.adapters import markup
from bot.core.events import Button

PREFIX = "sb:"
CUSTOM_ID = 100
BUTTON_LABEL = 80
PER_ROW = 5
MAX_ROWS = 5
MODAL_TITLE = 45
INPUT_LABEL = 45
INPUT_TEXT = 4000
TEXT = "text"  # the custom id of the one text input in either modal
REPLY_MODAL = "modal.reply"
EDIT_MODAL = "modal.edit"
_STYLES = {"primary": discord.ButtonStyle.primary, "danger": discord.ButtonStyle.danger}
_SUFFIX = re.compile(r"#\d+$")


def custom_id(action: str, value: str, index: int | None = None) -> str:
    """`sb:action:value`, plus `#index` when another button on the message has the same action and value."""
    if not action or ":" in action or "#" in action or "#" in value:  # would be read back as something else
        raise ValueError(f"button action {action!r} / value {value!r} cannot be encoded in a Discord custom id")
    encoded = f"{PREFIX}{action}:{value}" + ("" if index is None else f"#{index}")
    if len(encoded) > CUSTOM_ID:
        raise ValueError(f"button {action!r} with value {value!r} exceeds Discord's {CUSTOM_ID}-character custom id")
    return encoded


def parse_custom_id(encoded: str) -> tuple[str, str] | None:
    """(action, value) of one of our custom ids; None for anything else (another bot's, a stray one)."""
    if not encoded.startswith(PREFIX):
        return None
    action, _, value = _SUFFIX.sub("", encoded[len(PREFIX) :]).partition(":")
    return (action, value) if action else None


def custom_ids(buttons: Sequence[Button]) -> list[str]:
    """One id per button, unique within the message (CSAT buttons already differ by value)."""
    seen: set[tuple[str, str]] = set()
    ids = []
    for i, button in enumerate(buttons):
        key = (button.action, button.value)
        ids.append(custom_id(button.action, button.value, i if key in seen else None))
        seen.add(key)
    return ids


def view_for(buttons: Sequence[Button]) -> discord.ui.View | None:
    """The buttons as a persistent view, five to a row; None when there are none (an edit then removes them).
    More than Discord's 25 raises: dropping one silently would hide an action the core offered."""
    if not buttons:
        return None
    if len(buttons) > PER_ROW * MAX_ROWS:
        raise ValueError(f"{len(buttons)} buttons: a Discord message holds at most {PER_ROW * MAX_ROWS}")
    view = discord.ui.View(timeout=None)
    for i, (button, encoded) in enumerate(zip(buttons, custom_ids(buttons), strict=True)):
        style = _STYLES.get(button.style, discord.ButtonStyle.secondary)
        view.add_item(discord.ui.Button(label=line(button.label, BUTTON_LABEL), custom_id=encoded, style=style, row=i // PER_ROW))
    return view


def line(text: str, limit: int, fallback: str = "…") -> str:
    """Plain text on one line (labels, titles), clipped with `…`; Discord rejects an empty label."""
    flat = " ".join(markup.CONTROLS.sub("", text).split()) or fallback
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# Modals ---------------------------------------------------------------------------------------------


def reply_modal(ticket_id: int) -> discord.ui.Modal:
    """The form behind "Reply to customer": what the agent writes goes to the customer as-is."""
    return _modal(REPLY_MODAL, ticket_id, f"Reply on ticket #{ticket_id}", "Your reply (the customer sees exactly this)", "")


def edit_draft_modal(draft_id: int, draft_text: str) -> discord.ui.Modal:
    """The form behind a draft's Edit. A draft longer than the input holds is cut at a word and the label
    says so, since saving replaces the whole draft with what the box holds."""
    initial = markup.word_cut(draft_text, INPUT_TEXT)
    cut = len(initial) < len(draft_text.strip())
    label = f"Answer (cut: first {len(initial):,} of {len(draft_text):,} chars)" if cut else "Answer sent to the customer"
    return _modal(EDIT_MODAL, draft_id, f"Edit draft #{draft_id}", label, initial)


def modal_text(data: Mapping[str, Any]) -> str:
    """The text submitted in either modal, from a raw modal-submit interaction's `data` (or the whole
    interaction); "" if left empty. Reads action rows and the newer label components alike."""
    if "components" not in data and isinstance(data.get("data"), Mapping):
        data = data["data"]
    for component in _walk(data.get("components")):
        if component.get("custom_id") == TEXT and isinstance(component.get("value"), str):
            return str(component["value"])
    return ""


def _walk(components: object) -> Iterator[Mapping[str, Any]]:
    for component in components if isinstance(components, list) else ():
        if isinstance(component, Mapping):
            yield component
            yield from _walk(component.get("components"))
            yield from _walk([component["component"]] if "component" in component else None)


def _modal(kind: str, subject_id: int, title: str, label: str, initial: str) -> discord.ui.Modal:
    modal = discord.ui.Modal(title=line(title, MODAL_TITLE), custom_id=custom_id(kind, str(subject_id)), timeout=None)
    text: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
        label=line(label, INPUT_LABEL),
        style=discord.TextStyle.paragraph,
        custom_id=TEXT,
        default=initial or None,
        required=True,
        max_length=INPUT_TEXT,
    )
    modal.add_item(text)
    return modal
