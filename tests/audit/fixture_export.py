"""A small ticket-history export written for the audit tests: three known intents (two answered with a
macro, one with bespoke replies) and two topics no intent covers (Slack updates, job applications)."""

from __future__ import annotations

import csv
from pathlib import Path

COLUMNS = (
    "id",
    "created_at",
    "first_response_at",
    "resolved_at",
    "subject",
    "body",
    "agent_reply",
    "category",
    "plan",
    "csat",
    "agent",
)
RESET_MACRO = (
    "Hi {name},\n\nSorry you're locked out! Use Forgot password? on the login page; the reset link is valid for 60 minutes "
    "and each new request cancels the older links. Check spam if nothing arrives within 10 minutes.\n\nBest,\n{agent}"
)
INVOICE_MACRO = (
    "Hello {name},\n\nYou can download every invoice under Settings > Billing > Invoices, and the company name and "
    "address on them can be changed there too. Invoice {number} is attached for convenience.\n\nThanks,\n{agent}"
)
BUG_REPLIES = (
    "Thanks for the screenshots. The timeline drops dependencies when a task spans a daylight-saving change; engineering "
    "shipped a fix this morning, so a hard refresh should sort it.",
    "I reproduced the upload failure: files over 95 MB hit a proxy limit we forgot to raise. I've raised it for your "
    "workspace while the permanent change is reviewed.",
    "The duplicate comments came from the email reply parser treating your signature as a new message. I removed the "
    "copies and filed the parser bug with our team.",
    "Custom fields vanished because the project template was re-applied by an automation at midnight. I restored the "
    "values from yesterday's backup; disable the rule called Nightly reset to stop it.",
    "The blank board was a browser extension blocking our new script bundle. Allowing app.orbitask.com in the "
    "extension's settings fixes it; we are also renaming the bundle so it stops matching the blocklist.",
    "Dragging failed for cards with more than 50 checklist items because of a timeout in the reorder call. Engineering "
    "raised the limit, and I moved your card manually in the meantime.",
)
RESET = (
    ("Forgot my password", "I forgot my password and can't log in, how do I reset it?"),
    ("Password reset", "Need to reset my password please, the old one doesn't work."),
    ("Reset link", "The password reset email link says it expired, can you help me reset my password?"),
    ("Locked out", "I forgot my password, please help me get a new one."),
    ("Can't remember password", "How do I change my password? I don't remember it."),
    ("Password", "Please send me a password reset, I lost my password."),
)
INVOICES = (
    ("Invoice copy", "Can you send me a copy of my last invoice?"),
    ("Need invoice", "Where can I download our invoices for the accounting team?"),
    ("Receipt for March", "I need a receipt for the March payment please."),
    ("Invoices", "Please send a copy of the invoice for our annual plan."),
)
BUGS = (
    ("Timeline bug", "The timeline view moves my task dates back by a day after I save. Is this a bug?"),
    ("Upload failing", "Uploading a large file to a task fails with an error every time."),
    ("Comments duplicated", "Every comment I add by email shows up twice on the task. Something is broken."),
    ("Custom fields gone", "All custom field values disappeared from our project overnight, looks like a bug."),
    ("Board broken", "The kanban board shows a blank page with an error since this morning."),
    ("Drag and drop bug", "Dragging a card to another column throws an error and the card jumps back."),
)
SLACK = (
    ("Slack updates stopped", "Our Slack channel stopped getting task updates from Orbitask since Monday."),
    ("Connect Slack", "How do I connect Slack so the team channel gets a message when a task is done?"),
    ("<script>alert('slack')</script>", "The Slack integration posts nothing to our #design channel any more."),
    ("Slack app", "The Slack app got disconnected and our channel updates are missing."),
    ("Slack channel", "Slack channel notifications from Orbitask stopped, the integration shows connected."),
)
JOBS = (
    ("Job application", "Are you hiring? I'd like to apply for the frontend developer job."),
    ("Internship", "Do you have internships for students this summer? I want to apply."),
    ("Careers", "I'd like to apply for a job on your engineering team, where do I send my CV?"),
    ("My resume", "Career opportunities at Orbitask: sending my resume for an open developer job."),
    ("Job opening", "I saw a job opening for a data analyst at your company, can I apply by email with my CV?"),
)
NAMES = ("Ana", "Ben", "Chidi", "Dana", "Eli", "Fay")
AGENTS = ("Maya Okafor", "Tom Becker")


def rows() -> list[dict[str, str]]:
    out: list[dict[str, str]] = []

    def add(subject: str, body: str, reply: str, category: str, csat: str, hours: int) -> None:
        n = len(out)
        day = 1 + n % 20  # 2026-06-01 is a Monday: three weeks, the last one partial
        out.append(
            {
                "id": str(1000 + n),
                "created_at": f"2026-06-{day:02d}T09:00:00Z",
                "first_response_at": f"2026-06-{day:02d}T{9 + hours % 8:02d}:30:00Z" if reply else "",
                "resolved_at": f"2026-06-{min(day + hours // 8, 28):02d}T18:00:00Z",
                "subject": subject,
                "body": body,
                "agent_reply": reply,
                "category": category,
                "plan": ("free", "team", "business")[n % 3],
                "csat": csat,
                "agent": AGENTS[n % 2],
            }
        )

    for i, (subject, body) in enumerate(RESET):
        add(subject, body, RESET_MACRO.format(name=NAMES[i], agent=AGENTS[i % 2].split()[0]), "password_reset", "5", 1)
    for i, (subject, body) in enumerate(INVOICES):
        reply = INVOICE_MACRO.format(name=NAMES[i], agent=AGENTS[i % 2].split()[0], number=f"INV-{2040 + i}")
        add(subject, body, reply, "invoice_copy", "4", 2)
    for i, (subject, body) in enumerate(BUGS):
        add(subject, body, f"Hi {NAMES[i]},\n\n{BUG_REPLIES[i]}\n\n{AGENTS[i % 2].split()[0]}", "bug_report", "3", 20)
    for i, (subject, body) in enumerate(SLACK):
        add(subject, body, f"Hi {NAMES[i]}, reconnect Slack under Settings > Integrations > Slack.", "slack_integration", "", 5)
    for subject, body in JOBS:
        add(subject, body, "", "careers", "", 3)
    return out


def write_export(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows())
    return path
