"""Answer-set files: labelled questions, and a clear file:line for each kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import BUNDLED_ANSWER_SET, BUNDLED_INTENTS, HELDOUT_ANSWERS
from knowledge import BUNDLED_ARTICLES
from knowledge.answer_set import AnswerSetError, load_answer_set
from knowledge.base import load_knowledge_base
from models.dataset import load_data


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text("version: 1\nquestions:\n" + body, encoding="utf-8")
    return path


def test_the_bundled_sets_load_and_name_only_customer_articles() -> None:
    kb = load_knowledge_base(BUNDLED_ARTICLES, load_data(BUNDLED_INTENTS).labels)
    customer = {a.id for a in kb.customer_articles()}
    for path in (BUNDLED_ANSWER_SET, HELDOUT_ANSWERS):
        answers = load_answer_set(path, customer)
        assert {q.expect for q in answers.questions} == {"article", "out_of_scope", "person"}
        assert len(answers.of("article")) >= 200
        assert {a for q in answers.of("article") for a in q.articles} == customer  # every article asked about


def test_the_validation_and_held_out_sets_share_no_question() -> None:
    validation = {q.text.strip().lower() for q in load_answer_set(BUNDLED_ANSWER_SET).questions}
    held_out = {q.text.strip().lower() for q in load_answer_set(HELDOUT_ANSWERS).questions}
    assert not validation & held_out


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('  - text: "hi"\n    expect: maybe\n', r"answers.yaml:3: 'expect' must be one of article, out_of_scope, person"),
        ('  - text: "refund?"\n    expect: article\n', r"answers.yaml:3: an 'article' question must list"),
        ('  - text: ""\n    expect: person\n', r"answers.yaml:3: each question needs a non-empty 'text'"),
        (
            '  - text: "x"\n    expect: article\n    articles: [no-such-article]\n',
            r"answers.yaml:3: unknown article id\(s\) no-such-article",
        ),
        ("  - [1, 2]\n", r"answers.yaml: question 1: each question needs"),
    ],
)
def test_mistakes_name_the_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(AnswerSetError, match=message):
        load_answer_set(write(tmp_path, body), {"reset-your-password"})


def test_a_file_that_is_not_an_answer_set_says_so(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(AnswerSetError, match="expected a top-level 'questions:' list"):
        load_answer_set(path)
    path.write_text("questions: [\n", encoding="utf-8")
    with pytest.raises(AnswerSetError, match="invalid YAML"):
        load_answer_set(path)
    with pytest.raises(AnswerSetError, match="cannot read"):
        load_answer_set(tmp_path / "missing.yaml")
