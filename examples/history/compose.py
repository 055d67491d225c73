"""Turn a category and a customer into a ticket's subject, body and the agent's reply."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from examples.history.categories import Category
from examples.history.timing import APP_RELEASE, MACRO_EDITED
from examples.history.voice import (
    CLOSINGS,
    CONTEXT_OPENERS,
    FORMAL_CLOSINGS,
    FORMAL_GREETINGS,
    GREETINGS,
    MOBILE_FOOTERS,
    PROSPECT_OPENERS,
    Customer,
    casual,
    second_language,
    signature,
    typos,
)

GENERIC_SUBJECTS = (
    "Question",
    "Help needed",
    "Support request",
    "Urgent",
    "Issue with Orbitask",
    "Quick question",
    "(no subject)",
)
DEVICES = (
    ("Samsung Galaxy S23", "Android 14"), ("Pixel 8", "Android 14"), ("Xiaomi Redmi Note 12", "Android 13"),
    ("OnePlus 11", "Android 14"), ("iPhone 13", "iOS 17.1"), ("iPhone 15 Pro", "iOS 17.1"), ("iPad Air", "iPadOS 17.1"),
)  # fmt: skip
IDPS = ("Okta", "Microsoft Entra ID", "Google Workspace", "OneLogin")
TOOLS = ("Trello", "Asana", "Jira", "Monday.com", "Basecamp", "Wrike")
SOLVED_NOTES = (
    "\n\nEDIT: never mind, found it. Sorry for the noise!",
    "\n\nUpdate: my colleague just showed me, all sorted. You can close this.",
    "\n\nP.S. Ignore this, it started working again.",
)


def placeholders(rng: random.Random, who: Customer, created: datetime, plan: str | None) -> dict[str, str]:
    """Every value a text may mention, drawn once per ticket so the customer and the agent agree on them."""
    device, system = rng.choice(DEVICES)
    slug = "".join(ch for ch in who.company.lower().split(" ")[0] if ch.isalnum())
    earlier = created - timedelta(days=rng.randint(1, 20))
    last_month = (created.replace(day=1) - timedelta(days=1)).strftime("%B")
    return {
        "first": who.first,
        "first_lower": who.first.lower(),
        "last_lower": who.last.lower().replace("'", ""),
        "company": who.company,
        "domain": f"{slug}{rng.choice(('.com', '.io', '.co.uk', '.de', '.com'))}",
        "seats": str(rng.choice((6, 9, 12, 15, 24, 38, 60, 85, 140, 320))),
        "count": str(rng.choice((3, 4, 6, 9, 12, 18, 25, 40, 60, 150))),
        "invoice": f"ORB-2026-{rng.randint(100, 99999):06d}",
        "amount": f"${rng.choice((120, 240, 288, 480, 576, 960, 1152, 2304, 2880, 5760)):,}.00",
        "small_amount": f"${rng.choice((10, 20, 24, 30, 48, 72, 96)):,}.00",
        "date": f"{earlier:%b} {earlier.day}",
        "month": last_month,
        "card": f"{rng.randint(0, 9999):04d}",
        "po": f"PO-{rng.randint(10000, 99999)}",
        "vat": f"{rng.choice(('DE', 'FR', 'NL', 'IE', 'GB', 'ES'))}{rng.randint(100000000, 999999999)}",
        "idp": rng.choice(IDPS),
        "code": str(rng.randint(1000, 9999)),
        "plan": (plan or "team").capitalize(),
        "device": device,
        "os": system,
        "app_version": "5.2.0" if created >= APP_RELEASE else "5.1.3",
        "app_fix": "5.2.1",
        "tool": rng.choice(TOOLS),
        "time": f"{rng.randint(8, 17)}:{rng.choice(('05', '15', '20', '40', '50'))}",
    }


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    channel: str  # chat, email or web_form
    ask: int  # which of the category's asks it is, so a judgment reply can answer that one


def customer_message(rng: random.Random, category: Category, who: Customer, fill: Mapping[str, str]) -> Message:
    """A chat line, a short email, a long email with context, or an email in second-language English."""
    style = rng.random()
    index = rng.randrange(len(category.asks))
    ask = category.asks[index].format_map(fill)
    detail = rng.choice(category.details).format_map(fill) if category.details else ""
    if style < 0.28:
        if category.quick and rng.random() < 0.75:
            line = rng.choice(category.quick).format_map(fill)
        else:
            line = ask.split(". ")[0] if rng.random() < 0.6 else ask
        body = typos(rng, casual(rng, line), 0.1)
        return Message(_subject_from(body), body, "chat", index)
    if style < 0.66:
        parts = [ask] + ([detail] if rng.random() < 0.5 else [])
        body = f"{rng.choice(GREETINGS)},\n\n{' '.join(parts)}\n\n{rng.choice(CLOSINGS)}\n{who.first}"
        channel = "email"
    elif style < 0.9:
        opener = rng.choice(CONTEXT_OPENERS if sum(category.plans) else PROSPECT_OPENERS).format_map(fill)
        extra = " ".join(d.format_map(fill) for d in rng.sample(category.details, min(len(category.details), rng.randint(1, 3))))
        body = f"{rng.choice(GREETINGS)},\n\n{opener} {ask}\n\n{extra}\n\n{rng.choice(CLOSINGS)}\n\n{signature(rng, who)}"
        if rng.random() < 0.15:
            body += f"\n\n{rng.choice(MOBILE_FOOTERS)}"
        channel = "email"
    else:
        text = second_language(rng, f"{ask} {detail}".strip())
        body = f"{rng.choice(FORMAL_GREETINGS)},\n\n{text}\n\n{rng.choice(FORMAL_CLOSINGS)}\n{who.full}"
        channel = "web_form"
    body = typos(rng, body, 0.02)
    return Message(_subject(rng, category, fill, body), body, channel, index)


def _subject(rng: random.Random, category: Category, fill: Mapping[str, str], body: str) -> str:
    roll = rng.random()
    if roll < 0.7:
        subject = rng.choice(category.subjects).format_map(fill)
        return subject.lower() if rng.random() < 0.1 else subject
    return rng.choice(GENERIC_SUBJECTS) if roll < 0.9 else _subject_from(body.split("\n\n", 1)[-1])


def _subject_from(body: str) -> str:
    """Chat tools title a conversation with its first words."""
    words = body.split()
    return " ".join(words[:7]) + ("..." if len(words) > 7 else "")


def solved_by_customer_note(rng: random.Random) -> str:
    return rng.choice(SOLVED_NOTES)


def agent_reply(rng: random.Random, category: Category, agent: str, fill: Mapping[str, str], created: datetime, ask: int) -> str:
    """A routine reply is the macro with a different greeting or sign-off; a judgment one is assembled per case."""
    first = agent.split()[0]
    team = "Partnerships" if category.name == "partnership" else category.team.capitalize()
    signoff = f"{rng.choice(('Best,', 'Kind regards,', 'Cheers,', 'Thanks,', 'All the best,'))}\n{first}\nOrbitask {team}"
    if not category.judgment:
        macro = category.replies[-1] if created >= MACRO_EDITED else category.replies[0]
        greetings = ["Hi {first},", "Hello {first},", "Hi {first},"]
        if not macro.startswith("Thanks"):
            greetings.append("Hi {first}, thanks for getting in touch.")
        greeting = rng.choice(greetings).format_map(fill)
        aside = rng.choice(("Sorry for the wait! ", "Hope your week is going well. ", "")) if rng.random() < 0.3 else ""
        return f"{greeting}\n\n{aside}{macro.format_map(fill)}\n\n{signoff}"
    opener = rng.choice(category.replies).format_map(fill)
    body = category.reply_middles[category.answers[ask]].format_map(fill)
    closer = rng.choice(category.reply_closers).format_map(fill)
    greeting = ""
    if not opener.startswith("Hi "):
        greeting = f"Hi {fill['first']},\n\n"
        opener = opener.replace(f", {fill['first']}", "")
    return f"{greeting}{opener} {body}\n\n{closer}\n\n{signoff}"
