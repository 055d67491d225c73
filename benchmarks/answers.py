"""Answer quality on single questions: does the whole bot give the right article, and only then?

    python -m benchmarks.answers                                   # held-out set, run once per change
    python -m benchmarks.answers --data knowledge/eval/answers.yaml   # the gate's own validation set (in-sample)

Each question goes through the real bot (bundled model, knowledge base, policy, triggers, tiers;
SQLite) as a new Business-plan customer, and the stored decision says what happened: an article
sent (auto tier) or drafted for an agent (assisted tier), a clarifying choice, a handoff, or
nothing. Two policies in the same run, on the same model: `gate` (the bundled policy: the answer
gate at its stored operating point) and `no_gate` (the resolver as it was before the gate: the
intent's own articles, retrieval above a similarity floor). `--baseline-model DIR` adds a third run
on another model directory (e.g. one trained on the old intents file), without the gate.

For article questions: right-article, wrong-article, clarify and handoff rates, and whether a
clarifying choice offered the right article; for out-of-scope questions: the share given an article;
for needs-a-person questions: the handoff rate. The risk–coverage chart draws the gate's curve on
the validation set (where its threshold was chosen) and on this set, with each run's operating point.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import REPO, RESULTS, discard, write_result
from bot.answer_chart import risk_coverage_png
from bot.answer_gate import judge
from bot.config import BUNDLED_ANSWER_SET, load_settings
from bot.core.app import SupportBot
from bot.core.events import CustomerMessage, CustomerProfile, Person, Place
from bot.runtime import build_bot
from knowledge.answer_set import LabelledQuestion, load_answer_set
from knowledge.gate import AnswerGate, CurvePoint, risk_coverage

HELDOUT = REPO / "benchmarks" / "data" / "answers_heldout.yaml"
SENT = ("answered",)
DRAFTED = ("drafted",)


@dataclass(frozen=True)
class Reply:
    outcome: str  # the decision's outcome: answered, drafted, clarified, handed_off, unanswered, ...
    article_id: str | None
    triggers: tuple[str, ...]

    @property
    def gives_article(self) -> bool:
        return self.outcome in SENT + DRAFTED and self.article_id is not None


async def ask(bot: SupportBot, question: LabelledQuestion, number: int, run: str) -> Reply:
    person = Person("bench", f"{run}-{number}")
    place = Place("bench", f"dm-{run}-{number}")
    message_id = f"{run}-{number}"
    profile = CustomerProfile(company=f"Customer {number}", tier="business", account_value=12000.0)
    await bot.handle(CustomerMessage(message_id, person, place, question.text, profile))
    decided = await bot.db(bot.store.decision_of, "bench", message_id)
    if decided is None:
        return Reply("none", None, ())
    triggers = tuple(decided.triggers.split(",")) if decided.triggers else ()
    return Reply(decided.outcome, decided.article_id, triggers)


def rate(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def summarise(questions: list[LabelledQuestion], replies: list[Reply], offered: list[tuple[str, ...]]) -> dict[str, Any]:
    pairs = list(zip(questions, replies, offered, strict=True))
    articles = [(q, r, o) for q, r, o in pairs if q.expect == "article"]
    oos = [(q, r) for q, r, _ in pairs if q.expect == "out_of_scope"]
    people = [(q, r) for q, r, _ in pairs if q.expect == "person"]
    n = len(articles)
    right = [r.gives_article and r.article_id in q.articles for q, r, _ in articles]
    wrong = [r.gives_article and r.article_id not in q.articles for q, r, _ in articles]
    clarified = [(q, o) for q, r, o in articles if r.outcome == "clarified"]
    errors = [
        {"text": q.text, "expected": list(q.articles), "got": r.article_id, "outcome": r.outcome}
        for (q, r, _), bad in zip(articles, wrong, strict=True)
        if bad
    ]
    errors += [
        {"text": q.text, "expected": "out_of_scope", "got": r.article_id, "outcome": r.outcome} for q, r in oos if r.gives_article
    ]
    errors += [
        {"text": q.text, "expected": f"person ({q.why})", "got": r.article_id, "outcome": r.outcome}
        for q, r in people
        if r.outcome != "handed_off"
    ]
    handed = [
        {"text": q.text, "expected": list(q.articles), "triggers": list(r.triggers)}
        for q, r, _ in articles
        if r.outcome == "handed_off"
    ]
    return {
        "handed_off_article_questions": handed,
        "article_questions": {
            "n": n,
            "right_article": rate(sum(right), n),
            "wrong_article": rate(sum(wrong), n),
            "right_sent_to_customer": rate(sum(x and r.outcome in SENT for x, (_, r, _) in zip(right, articles, strict=True)), n),
            "wrong_sent_to_customer": rate(sum(x and r.outcome in SENT for x, (_, r, _) in zip(wrong, articles, strict=True)), n),
            "clarify": rate(len(clarified), n),
            "clarify_offered_right_article": rate(sum(any(a in q.articles for a in o) for q, o in clarified), len(clarified)),
            "handoff": rate(sum(r.outcome == "handed_off" for _, r, _ in articles), n),
            "other": rate(sum(not r.gives_article and r.outcome not in ("clarified", "handed_off") for _, r, _ in articles), n),
        },
        "out_of_scope_questions": {
            "n": len(oos),
            "given_an_article": rate(sum(r.gives_article for _, r in oos), len(oos)),
            "clarify": rate(sum(r.outcome == "clarified" for _, r in oos), len(oos)),
            "handoff": rate(sum(r.outcome == "handed_off" for _, r in oos), len(oos)),
        },
        "person_questions": {
            "n": len(people),
            "handed_off": rate(sum(r.outcome == "handed_off" for _, r in people), len(people)),
            "by_reason": {
                why: f"{sum(r.outcome == 'handed_off' for q, r in people if q.why == why)}/{sum(q.why == why for q, _ in people)}"
                for why in sorted({q.why for q, _ in people})
            },
            "triggers": dict(Counter(t for _, r in people for t in r.triggers)),
        },
        "outcomes": dict(Counter(r.outcome for r in replies)),
        "errors": errors,
    }


class Runner:
    """A fresh bot (own SQLite file) per run."""

    def __init__(self, scratch: str) -> None:
        self.scratch, self.count = scratch, 0

    def bot(self, model: Path | None, gate: bool) -> SupportBot:
        self.count += 1
        settings = load_settings().model_copy(update={"database_url": f"sqlite:///{self.scratch}/run{self.count}.db"})
        bot = build_bot(settings, model)
        bot.attach(discard)
        if not gate:
            bot.services.resolver.gate = None
        return bot

    def run(self, questions: list[LabelledQuestion], name: str, model: Path | None, gate: bool) -> dict[str, Any]:
        bot = self.bot(model, gate)

        async def everything() -> list[Reply]:
            return [await ask(bot, q, i, name) for i, q in enumerate(questions)]

        replies = asyncio.run(everything())
        judged = judge(bot.services.classifier, bot.services.resolver, questions)
        offered = [tuple(c.article_id for c in j.ranking.options(bot.policy.answer.options)) for j in judged]
        result = summarise(questions, replies, offered)
        result["gate"] = gate_summary(bot.services.resolver.gate, bot.policy.answer.max_wrong_rate) if gate else None
        result["curve_here"] = curve_on(bot, questions) if gate else None
        return result


def gate_summary(gate: AnswerGate | None, budget: float) -> dict[str, Any] | None:
    if gate is None:
        return None
    threshold = gate.threshold_for(budget)
    point = gate.point(threshold)
    return {
        "budget": budget,
        "threshold": round(threshold, 4),
        "validation_point": None if point is None else {"right": point.right, "wrong": point.wrong, "oos": point.oos_answered},
        "validation_curve": gate.curve,
    }


def curve_on(bot: SupportBot, questions: list[LabelledQuestion]) -> list[CurvePoint]:
    """The gate's risk–coverage curve on these questions (its assurance alone, before any trigger)."""
    gate = bot.services.resolver.gate
    if gate is None:
        return []
    scored = [q for q in questions if q.expect != "person"]
    judged = judge(bot.services.classifier, bot.services.resolver, scored)
    assurance = np.array([gate.assurance(j.evidence) for j in judged])
    answerable = np.array([q.expect == "article" for q in scored])
    correct = np.array([j.right for j in judged])
    return risk_coverage(assurance, answerable, correct)


def chart(runs: dict[str, dict[str, Any]], path: Path) -> Path:
    gated = runs["gate"]
    gate = gated["gate"]
    curves = {}
    if gate:
        curves["gate on the validation set (threshold chosen there)"] = gate["validation_curve"]
    curves["gate on this set (its assurance alone)"] = gated["curve_here"] or []
    points = {}
    for name, result in runs.items():
        a = result["article_questions"]
        label = f"whole bot, {name}: right {a['right_article']:.0%}, wrong {a['wrong_article']:.1%}"
        points[label] = (a["right_article"] + a["wrong_article"], a["wrong_article"])
    return risk_coverage_png(curves, points, gate["budget"] if gate else None, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=HELDOUT)
    parser.add_argument("--baseline-model", type=Path, help="another model directory, run without the gate")
    parser.add_argument("--name", default=None, help="result name (default: from the data file)")
    args = parser.parse_args()
    settings = load_settings()
    answers = load_answer_set(args.data)
    questions = list(answers.questions)
    name = args.name or ("answers_heldout" if args.data.resolve() == HELDOUT.resolve() else f"answers_{args.data.stem}")
    with tempfile.TemporaryDirectory() as scratch:
        runner = Runner(scratch)
        runs = {"gate": runner.run(questions, "gate", None, True), "no_gate": runner.run(questions, "nogate", None, False)}
        if args.baseline_model:
            runs["baseline_model"] = runner.run(questions, "baseline", args.baseline_model, False)
    command = f"python -m benchmarks.answers --data {args.data.relative_to(REPO) if args.data.is_absolute() else args.data}"
    if args.baseline_model:
        command += " --baseline-model DIR"
    result = {
        "command": command,
        "data": str(args.data),
        "questions": dict(Counter(q.expect for q in questions)),
        "validation_set": str(BUNDLED_ANSWER_SET.relative_to(REPO)),
        "model_dir": str(settings.model_dir),
        "runs": runs,
    }
    png = chart(runs, RESULTS / f"{name}_risk_coverage.png")
    for run, r in runs.items():
        a, o, p = r["article_questions"], r["out_of_scope_questions"], r["person_questions"]
        print(
            f"{run:>15}: right {a['right_article']:.1%}  wrong {a['wrong_article']:.1%}  clarify {a['clarify']:.1%} "
            f"(right offered {a['clarify_offered_right_article']:.0%})  handoff {a['handoff']:.1%} | "
            f"out of scope given an article {o['given_an_article']:.1%} | person handed off {p['handed_off']:.1%}"
        )
    print(f"written: {write_result(name, jsonable(result))}, {png}")


def jsonable(value: Any) -> Any:
    """Curve points as [answered, wrong, out-of-scope answered, threshold] rows."""
    if isinstance(value, CurvePoint):
        return [round(value.right + value.wrong, 4), round(value.wrong, 4), round(value.oos_answered, 4), value.threshold]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


if __name__ == "__main__":
    main()
