"""Write the sample Orbitask ticket-history exports (seeded, so the files only change when this code does).

    python -m examples.history.generate              # rewrites the two sample files next to this module
    python -m examples.history.generate --count 10000 --out /tmp/history --format jsonl

orbitask_tickets.csv is in supportbot's native columns; orbitask_zendesk_sample.csv is a smaller export in
Zendesk's column layout (durations in minutes, space-separated tags, Good/Bad satisfaction).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from examples.history.categories import Category
from examples.history.compose import agent_reply, customer_message, placeholders, solved_by_customer_note
from examples.history.known_account import ACCOUNT
from examples.history.known_billing import BILLING
from examples.history.known_product import PRODUCT
from examples.history.new_topics import NEW_TOPICS
from examples.history.timing import created_time, first_response, resolution, satisfaction
from examples.history.voice import Customer, random_customer

CATEGORIES: tuple[Category, ...] = (*ACCOUNT, *BILLING, *PRODUCT, *NEW_TOPICS)
HERE = Path(__file__).resolve().parent
NATIVE_FILE, ZENDESK_FILE = HERE / "orbitask_tickets.csv", HERE / "orbitask_zendesk_sample.csv"
NATIVE_COLUMNS = (
    "id", "created_at", "first_response_at", "resolved_at", "subject", "body", "agent_reply", "category", "tags",
    "plan", "csat", "agent",
)  # fmt: skip
AGENTS = {
    "support": ("Maya Okafor", "Daniel Reyes", "Sofia Lindqvist", "Tom Becker", "Aiko Tanaka"),
    "billing": ("Priya Nair", "Lukas Weber"),
    "accounts": ("Hannah Cole", "Marcus Lee"),
}
PLAN_NAMES = ("free", "team", "business", "enterprise")
CATEGORY_SHOWN = 0.85  # real exports leave the category blank on some tickets
CSAT_ANSWERED = 0.47  # of resolved, answered tickets


@dataclass(frozen=True)
class SampleTicket:
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    subject: str
    body: str
    agent_reply: str
    category: str  # the true category; `shown_category` is what the export says
    shown_category: str
    tags: tuple[str, ...]
    plan: str | None
    csat: int | None
    agent: str | None
    customer: Customer
    channel: str


def generate_tickets(count: int | None = None, seed: int = 2026) -> list[tuple[int, SampleTicket]]:
    """(id, ticket) in creation order; `count` scales every category's share (default: the sample's size)."""
    rng = random.Random(seed)
    base = sum(c.count for c in CATEGORIES)
    target = count or base
    sizes = [max(1, round(c.count * target / base)) for c in CATEGORIES]
    by_size = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    for i in range(abs(target - sum(sizes))):  # rounding: take or give the difference from the largest categories
        sizes[by_size[i % len(sizes)]] += 1 if target > sum(sizes) else -1
    tickets: list[SampleTicket] = []
    for category, size in zip(CATEGORIES, sizes, strict=True):
        previous: SampleTicket | None = None
        for _ in range(size):
            if previous is not None and category.name != "spam" and rng.random() < 0.025:
                ticket = _duplicate(rng, previous)
            else:
                ticket = _ticket(rng, category)
            tickets.append(ticket)
            previous = ticket
    tickets.sort(key=lambda t: t.created_at)
    numbered, next_id = [], 48_120
    for ticket in tickets:
        numbered.append((next_id, ticket))
        next_id += rng.choice((1, 1, 1, 2, 3))  # the helpdesk numbers other brands' tickets in between
    return numbered


def _ticket(rng: random.Random, category: Category) -> SampleTicket:
    who = random_customer(rng)
    created = created_time(rng, category.name)
    plan = rng.choices(PLAN_NAMES, weights=category.plans)[0] if sum(category.plans) else None
    fill = placeholders(rng, who, created, plan)
    message = customer_message(rng, category, who, fill)
    body, channel = message.body, message.channel
    tags = [*rng.sample(category.tags, min(len(category.tags), rng.randint(1, 2))), channel]
    if plan == "enterprise" and rng.random() < 0.6:
        tags.append("vip")
    handler = rng.choice(AGENTS[category.team])
    agent: str | None = handler
    replied, resolved, reply, csat = None, None, "", None
    if rng.random() < category.no_reply:
        if category.name == "spam":
            agent = None
            resolved = created + timedelta(minutes=rng.randint(20, 900))
        else:
            body += solved_by_customer_note(rng)
            tags.append("solved_by_customer")
            resolved = created + timedelta(minutes=rng.randint(30, 400))
    else:
        replied = first_response(rng, created, plan, category.judgment)
        if replied is not None:
            reply = agent_reply(rng, category, handler, fill, created, message.ask)
            resolved = resolution(rng, replied, category.judgment)
            if not category.judgment and rng.random() < 0.6:
                tags.append(f"macro_{category.name}")
            if resolved is not None and category.name != "partnership" and rng.random() < CSAT_ANSWERED:
                csat = satisfaction(rng, created, replied, resolved, category.judgment)
    shown = category.name if rng.random() < (0.7 if category.name == "spam" else CATEGORY_SHOWN) else ""
    return SampleTicket(
        created, replied, resolved, message.subject, body, reply, category.name, shown, tuple(dict.fromkeys(tags)), plan, csat,
        agent, who, channel,
    )  # fmt: skip


def _duplicate(rng: random.Random, original: SampleTicket) -> SampleTicket:
    """The same customer writing again before anyone answered; merged into the first ticket, so never answered."""
    created = original.created_at + timedelta(minutes=rng.randint(3, 90))
    body = rng.choice(("Sending this again in case it got lost:\n\n", "Any update? Copying my message below.\n\n", ""))
    return SampleTicket(
        created, None, created + timedelta(minutes=rng.randint(5, 120)), original.subject, body + original.body, "",
        original.category, "", ("duplicate", original.channel), original.plan, None, None, original.customer, original.channel,
    )  # fmt: skip


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def native_row(ticket_id: int, t: SampleTicket) -> dict[str, str]:
    return {
        "id": str(ticket_id),
        "created_at": _iso(t.created_at),
        "first_response_at": _iso(t.first_response_at),
        "resolved_at": _iso(t.resolved_at),
        "subject": t.subject,
        "body": t.body,
        "agent_reply": t.agent_reply,
        "category": t.shown_category,
        "tags": ", ".join(t.tags),
        "plan": t.plan or "",
        "csat": "" if t.csat is None else str(t.csat),
        "agent": t.agent or "",
    }


def write_native_csv(tickets: Sequence[tuple[int, SampleTicket]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=NATIVE_COLUMNS)
        writer.writeheader()
        writer.writerows(native_row(i, t) for i, t in tickets)


def write_native_jsonl(tickets: Sequence[tuple[int, SampleTicket]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for ticket_id, ticket in tickets:
            out.write(json.dumps(native_row(ticket_id, ticket), ensure_ascii=False) + "\n")


ZENDESK_COLUMNS = (
    "Id", "Requester", "Requester organization", "Subject", "Description", "Status", "Priority", "Type", "Tags",
    "Assignee", "Group", "Via", "Created at", "Updated at", "Solved at", "First reply time in minutes",
    "Full resolution time in minutes", "Satisfaction Score", "Category [list]", "Plan [list]",
)  # fmt: skip


def zendesk_row(ticket_id: int, t: SampleTicket) -> dict[str, str]:
    """Zendesk's CSV: no absolute first-reply time (minutes instead), space-separated tags, binary satisfaction."""

    def minutes(moment: datetime | None) -> str:
        return "" if moment is None else str(round((moment - t.created_at).total_seconds() / 60))

    def stamp(moment: datetime | None) -> str:
        return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")

    score = "Unoffered" if t.resolved_at is None else "Offered"
    if t.csat is not None:
        score = "Good" if t.csat >= 4 else "Bad" if t.csat <= 2 else "Offered"
    return {
        "Id": str(ticket_id),
        "Requester": t.customer.full,
        "Requester organization": t.customer.company,
        "Subject": t.subject,
        "Description": t.body,
        "Status": "Solved" if t.resolved_at else "Open",
        "Priority": "High" if t.plan == "enterprise" else "Normal",
        "Type": "Incident" if t.category in ("bug_report", "mobile_app_crash") else "Question",
        "Tags": " ".join(tag.replace(" ", "_") for tag in t.tags),
        "Assignee": t.agent or "",
        "Group": "Billing" if t.agent in AGENTS["billing"] else "Support",
        "Via": {"chat": "Chat", "email": "Mail", "web_form": "Web form"}[t.channel],
        "Created at": stamp(t.created_at),
        "Updated at": stamp(t.resolved_at or t.first_response_at or t.created_at),
        "Solved at": stamp(t.resolved_at),
        "First reply time in minutes": minutes(t.first_response_at),
        "Full resolution time in minutes": minutes(t.resolved_at),
        "Satisfaction Score": score,
        "Category [list]": t.shown_category.replace("_", " ").capitalize(),
        "Plan [list]": (t.plan or "").capitalize(),
    }


def write_zendesk_csv(tickets: Sequence[tuple[int, SampleTicket]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=ZENDESK_COLUMNS)
        writer.writeheader()
        writer.writerows(zendesk_row(i, t) for i, t in tickets)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, help="tickets to write (default: rewrite the two shipped samples)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.count is None:
        write_native_csv(generate_tickets(seed=args.seed), args.out / NATIVE_FILE.name)
        zendesk = [(23_400 + i, t) for i, (_, t) in enumerate(generate_tickets(40, seed=args.seed + 1))]
        write_zendesk_csv(zendesk, args.out / ZENDESK_FILE.name)
        print(f"wrote {args.out / NATIVE_FILE.name} and {args.out / ZENDESK_FILE.name}")
        return 0
    tickets = generate_tickets(args.count, seed=args.seed)
    target = args.out / f"orbitask_tickets_{args.count}.{args.format}"
    (write_native_csv if args.format == "csv" else write_native_jsonl)(tickets, target)
    print(f"wrote {len(tickets)} tickets to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
