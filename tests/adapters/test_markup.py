"""Slack and Discord renderers: bot wording keeps its markup; customer text can never ping, link, format,
or pass for a line the bot wrote."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.discord.markdown import render as discord_render
from bot.adapters.slack.mrkdwn import render as slack_render
from bot.core.text import Rich, code, link, name, rich, said, strong

Render = Callable[[Rich], str]
RENDERERS = pytest.mark.parametrize("render", [slack_render, discord_render], ids=["slack", "discord"])
FAST = settings(max_examples=300, deadline=None, database=None)

MENTIONS = (
    "@channel <!channel> <!here> <!everyone> <@U1> <@U1|sam> @everyone @here <@&1> <#1> <@123456789012345678> @123456789012345678"
)
MARKUP = "*bold* **strong** _it_ __under__ ~strike~ ~~gone~~ `code` ```block``` ||spoiler||"
LINE_BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"]
HIDDEN = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
]


def quoted(render: Render, text: str) -> str:
    return render(rich("Customer wrote:") + said(text) + " Ticket #3 is open.")


def named(render: Render, text: str) -> str:
    return render(rich("From ") + name(text) + ": new ticket")


def discord_unescaped(out: str) -> str:
    """What Discord parses as markup: backslash-escaped characters and `<url>` autolinks removed."""
    return re.sub(r"\\.|<https?://[^\s>]*>", "", out)


def assert_no_slack_mention(out: str) -> None:
    assert "<!" not in out and "<@" not in out and "<#" not in out
    assert re.search("@(?!\u200b)", out) is None  # every word-initial `@` is defused (no e-mail addresses here)
    assert all("|" not in inner and inner.startswith("http") for inner in re.findall(r"<([^>]*)>", out))


def assert_no_discord_mention(out: str) -> None:
    assert "<@" not in out and "<#" not in out and "<!" not in out
    assert re.search(r"@(everyone|here|[!&]?\d{17,20})", out) is None


# --- mentions -------------------------------------------------------------------------------------------------


def test_slack_customer_text_cannot_mention() -> None:
    assert_no_slack_mention(quoted(slack_render, MENTIONS))
    assert_no_slack_mention(named(slack_render, MENTIONS))


def test_discord_customer_text_cannot_mention() -> None:
    assert_no_discord_mention(quoted(discord_render, MENTIONS))
    assert_no_discord_mention(named(discord_render, MENTIONS))


def test_slack_keeps_e_mail_addresses_intact() -> None:
    assert "bob@example.com" in quoted(slack_render, "mail bob@example.com please")


# --- links ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "disguise", ["[https://good.example](https://evil.example)", "<https://evil.example|https://good.example>"]
)
def test_slack_disguised_link_shows_its_real_address(disguise: str) -> None:
    out = quoted(slack_render, disguise)
    assert "<https://evil.example>" in out  # a label-less link: Slack shows the address itself
    assert all("|" not in inner for inner in re.findall(r"<([^>]*)>", out))


@pytest.mark.parametrize("disguise", ["[https://good.example](https://evil.example)", "[click here](https://evil.example/a_b)"])
def test_discord_disguised_link_is_not_a_masked_link(disguise: str) -> None:
    out = quoted(discord_render, disguise)
    assert "[" not in discord_unescaped(out) and "](" not in discord_unescaped(out)
    assert re.search(r"<https://evil\.example[^>]*>", out)  # shown as its address, no embed


@RENDERERS
def test_bare_customer_urls_stay_usable_and_do_not_embed(render: Render) -> None:
    out = quoted(render, "see https://example.com/a_b?x=1 (and https://en.wikipedia.org/wiki/Foo_(bar)).")
    assert "<https://example.com/a_b?x=1>" in out
    assert "<https://en.wikipedia.org/wiki/Foo_(bar)>" in out


# --- quotes ---------------------------------------------------------------------------------------------------


@RENDERERS
@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[repr(b) for b in LINE_BREAKS])
def test_a_customer_line_break_cannot_leave_the_quote(render: Render, brk: str) -> None:
    lines = quoted(render, f"ok{brk}Sam claimed ticket #3.{brk}").splitlines()
    assert [line for line in lines if "Sam claimed" in line and not line.startswith("> ")] == []
    assert lines[0] == "Customer wrote:"
    assert lines[1] == "> ok"
    assert lines[-1] == "Ticket #3 is open."  # bot text after the quote starts its own, unquoted line


@RENDERERS
@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\u202e"])
def test_an_empty_quote_still_reads_as_a_quote(render: Render, text: str) -> None:
    assert render(Rich((said(text),))) == "> (empty)"


@RENDERERS
def test_a_display_name_stays_inline_on_one_line(render: Render) -> None:
    out = named(render, "Ann\nSam claimed ticket #3.\u2028x")
    assert len(out.splitlines()) == 1
    assert not out.startswith(">") and "> " not in out


# --- markup ---------------------------------------------------------------------------------------------------


def test_slack_customer_markup_does_not_render() -> None:
    for out in (quoted(slack_render, MARKUP), named(slack_render, MARKUP)):
        assert not set("*_~`") & set(out.removesuffix(": new ticket"))


def test_slack_customer_line_cannot_start_its_own_quote() -> None:
    assert slack_render(Rich((name("> not quoted"),))).startswith("\u00ad&gt;")


def test_discord_customer_markup_does_not_render() -> None:
    for out in (quoted(discord_render, MARKUP), named(discord_render, MARKUP)):
        assert not set("*_~`|") & set(discord_unescaped(out))


@pytest.mark.parametrize("line", ["# heading", "-# subtext", "- item", "  + item", "1. item", "> quote", ">>> rest", "\\*x\\*"])
def test_discord_customer_line_markup_is_escaped(line: str) -> None:
    out = discord_render(Rich((said(line),)))
    assert out.startswith("> ")
    assert not re.match(r"\s*([#>*]|[-+]\s|\d+\.)", discord_unescaped(out.removeprefix("> ")))


# --- bot markup -----------------------------------------------------------------------------------------------


def test_slack_bot_markup() -> None:
    text = rich("Ticket ") + strong("#3") + " " + code("x_y") + " " + link("the docs", "https://d.example/a?b=1&c=2|x")
    assert slack_render(text) == "Ticket *#3* `x_y` <https://d.example/a?b=1&amp;c=2%7Cx|the docs>"
    assert slack_render(rich("a < b & c > d")) == "a &lt; b &amp; c &gt; d"  # Slack's required escaping, even for the bot


def test_discord_bot_markup() -> None:
    text = rich("Ticket ") + strong("#3") + " " + code("x_y") + " " + link("the docs", "https://d.example/a_(b)")
    assert discord_render(text) == "Ticket **#3** `x_y` [the docs](https://d.example/a_%28b%29)"
    assert discord_render(rich("a < b & c > d")) == "a < b & c > d"


# --- hidden characters ----------------------------------------------------------------------------------------


@RENDERERS
def test_bidi_and_control_characters_are_removed(render: Render) -> None:
    text = "pay " + "".join(HIDDEN) + "me\tnow"
    for out in (quoted(render, text), named(render, text)):
        assert not set(HIDDEN) & set(out)
        assert "\t" in out


@RENDERERS
def test_str_is_unaffected(render: Render) -> None:
    text = rich("From ") + name("Ann *A*") + said("hi <!channel>\nthere") + strong("!")
    render(text)
    assert str(text) == "From Ann *A*“hi <!channel>\nthere”!"


# --- properties -----------------------------------------------------------------------------------------------

tricky = st.text(
    alphabet=st.sampled_from([*"<>@!&#*_~`|[]()\\-+.:/1 aehnrvyocl", *"".join(LINE_BREAKS), *HIDDEN, "\u200b", "\ufe0f"])
)
customer_text = st.one_of(
    st.text(), tricky, st.lists(st.sampled_from([*MENTIONS.split(), "https://e.x/a_(b)", "\n"])).map(" ".join)
)


@FAST
@given(customer_text)
def test_slack_quote_property(text: str) -> None:
    out = slack_render(Rich((said(text),)))
    assert out.splitlines() == out.split("\n")  # no line break Slack might honour besides "\n"
    assert all(line.startswith("> ") for line in out.split("\n"))
    assert "<!" not in out and "<@" not in out and "<#" not in out


@FAST
@given(customer_text)
def test_discord_quote_property(text: str) -> None:
    out = discord_render(Rich((said(text),)))
    assert out.splitlines() == out.split("\n")
    assert all(line.startswith("> ") for line in out.split("\n"))
    assert re.search(r"@(everyone|here)", out) is None
    assert "<@" not in out and "<#" not in out
    assert not set("*_~`|[]") & set(discord_unescaped(out))


@FAST
@given(customer_text)
def test_a_name_never_breaks_the_line(text: str) -> None:
    for render in (slack_render, discord_render):
        out = render(rich("From ") + name(text) + ": hi")
        assert out.splitlines() == [out]
