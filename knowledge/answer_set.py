"""Single questions labelled with what a right reply is: the article(s) that answer it, "out of scope"
(no article answers it), or "person" (it must reach a human). The answer gate is fitted on one such
file and the answer-quality benchmark measures on another, written apart."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

EXPECTATIONS = ("article", "out_of_scope", "person")
Expect = Literal["article", "out_of_scope", "person"]


class AnswerSetError(ValueError):
    """A problem in an answer-set file, with the file and line."""


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    expect: Expect
    articles: tuple[str, ...] = ()
    why: str = ""
    voice: str = ""
    line: int = 0


@dataclass(frozen=True)
class AnswerSet:
    path: Path
    questions: tuple[LabelledQuestion, ...]
    sha256: str

    def of(self, expect: Expect) -> list[LabelledQuestion]:
        return [q for q in self.questions if q.expect == expect]


def _lines(text: str) -> list[int]:
    """The line of each `- text:` entry, for error messages (the YAML parser drops positions)."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith("- text:")]


def load_answer_set(path: Path | str, known_articles: Iterable[str] | None = None) -> AnswerSet:
    path = Path(path)
    try:
        raw_text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AnswerSetError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise AnswerSetError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        raw = yaml.safe_load(raw_text)
    except yaml.YAMLError as exc:
        raise AnswerSetError(f"{path}: invalid YAML: {exc}") from None
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:  # PyYAML's constructors: 2026-02-30, !!int x
        raise AnswerSetError(f"{path}: invalid YAML value: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), list):
        raise AnswerSetError(f"{path}: expected a top-level 'questions:' list")
    lines = _lines(raw_text)
    known = set(known_articles) if known_articles is not None else None
    questions = []
    for n, row in enumerate(raw["questions"]):
        line = lines[n] if n < len(lines) else 0
        where = f"{path}:{line}" if line else f"{path}: question {n + 1}"
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
            raise AnswerSetError(f"{where}: each question needs a non-empty 'text'")
        expect = row.get("expect")
        if expect not in EXPECTATIONS:
            raise AnswerSetError(f"{where}: 'expect' must be one of {', '.join(EXPECTATIONS)}, not {expect!r}")
        articles = row.get("articles") or []
        if not isinstance(articles, list) or not all(isinstance(a, str) for a in articles):
            raise AnswerSetError(f"{where}: 'articles' must be a list of article ids")
        if expect == "article" and not articles:
            raise AnswerSetError(f"{where}: an 'article' question must list the article(s) that answer it")
        if known is not None:
            unknown = [a for a in articles if a not in known]
            if unknown:
                raise AnswerSetError(f"{where}: unknown article id(s) {', '.join(unknown)}")
        questions.append(
            LabelledQuestion(row["text"], expect, tuple(articles), str(row.get("why") or ""), str(row.get("voice") or ""), line)
        )
    if not questions:
        raise AnswerSetError(f"{path}: no questions")
    return AnswerSet(path, tuple(questions), hashlib.sha256(raw_text.encode()).hexdigest())
