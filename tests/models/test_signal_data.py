"""Conversation-signal data: the loader's errors name the place to fix, and context is built as served."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import BUNDLED_SIGNALS, HELDOUT_SIGNALS
from models.context import TurnContext, feature_count, features
from models.errors import DataFileError
from models.signal_data import load_signal_data
from models.signal_scoring import choose_threshold, fit_platt, score_signals

GOOD = """
signals: [frustrated, wants_human]
conversations:
  - id: a
    turns:
      - {text: "how do I export?", signals: [], bot: answered}
      - {text: "did that. still greyed out", pressed: not_quite, signals: [frustrated], bot: answered}
      - {text: "can a person look at it", signals: [frustrated, wants_human]}
  - id: b
    turns:
      - {text: "hi", signals: []}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "signals.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_context_is_built_from_the_labelled_conversation(tmp_path: Path) -> None:
    data = load_signal_data(write(tmp_path, GOOD))
    first, second, third = data.conversations[0].turns
    assert first.context == TurnContext()
    assert second.context.bot_last == "answered" and second.context.pressed == "not_quite"
    assert second.context.failed_answers == 1 and second.context.turn_index == 1
    assert third.context.previous == {"frustrated": 1.0}  # the previous turn's labels stand in for its probabilities
    assert third.context.earlier_texts == ("how do I export?", "did that. still greyed out")
    assert data.positives() == {"frustrated": 2, "wants_human": 1}


def test_splits_keep_conversations_whole_and_are_reproducible(tmp_path: Path) -> None:
    data = load_signal_data(BUNDLED_SIGNALS)
    train, val = data.split(0.15, seed=13)
    assert {c.id for c in train.conversations}.isdisjoint({c.id for c in val.conversations})
    assert len(train.conversations) + len(val.conversations) == len(data.conversations)
    assert [c.id for c in val.conversations] == [c.id for c in data.split(0.15, seed=13)[1].conversations]
    assert all(n > 0 for n in val.positives().values())


@pytest.mark.parametrize("heldout_file", [HELDOUT_SIGNALS, HELDOUT_SIGNALS.with_name("escalation_heldout.yaml")])
def test_the_bundled_files_are_big_enough_and_apart(heldout_file: Path) -> None:
    train = load_signal_data(BUNDLED_SIGNALS)
    heldout = load_signal_data(heldout_file, train.names)
    assert len(train.turns) >= 3000
    assert min(train.positives().values()) >= 200
    shared = {t.text.lower() for t in train.turns} & {t.text.lower() for t in heldout.turns}
    # written apart: stock lines ("got it", "done, thx") may coincide, real sentences at most twice
    assert len([s for s in shared if len(s.split()) > 5]) <= 2, shared


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        (
            "pressed: not_quite, signals: [frustrated]",
            "pressed: not_quite, signals: [frustation]",
            "conversation a, turn 2: unknown signal 'frustation'",
        ),
        ("bot: answered}", "bot: replied}", "bot 'replied' is not one of"),
        ("pressed: not_quite", "pressed: meh", "pressed 'meh' is not one of"),
        ('{text: "hi", signals: []}', '{text: "", signals: []}', "conversation b, turn 1: 'text' must be a non-empty string"),
        ('{text: "hi", signals: []}', '{text: "hi", labels: []}', "unknown key 'labels'"),
        ("  - id: b", "  - id: a", "conversation id 'a' is used twice"),
        ("signals: [frustrated, wants_human]", "signals: frustrated", "'signals:' must list the signal names"),
        ("signals: [frustrated, wants_human]\n", "signals: [frustrated, wants_human]\nlabels: []\n", "unknown key 'labels'"),
    ],
)
def test_bad_files_are_refused_with_where_and_what(tmp_path: Path, replace: str, by: str, message: str) -> None:
    assert replace in GOOD
    with pytest.raises(DataFileError, match=message.replace("(", r"\(")):
        load_signal_data(write(tmp_path, GOOD.replace(replace, by, 1)))


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        load_signal_data(write(tmp_path, "signals: [a]\nconversations:\n  - id: [unclosed\n"))
    assert caught.value.line is not None


def test_context_features_have_the_declared_length_and_see_typography() -> None:
    names = ["frustrated", "closing"]
    calm = features("ok, thanks", TurnContext(), names)
    loud = features("WHY IS THIS STILL BROKEN!!!", TurnContext(bot_last="answered", pressed="not_quite"), names)
    assert len(calm) == len(loud) == feature_count(names)
    assert loud[-3] > 0.9 and calm[-3] == 0.0  # capitals
    assert loud[-2] == 1.0  # exclamation marks
    with pytest.raises(ValueError, match="bot_last 'replied'"):
        TurnContext(bot_last="replied")


def test_platt_scaling_recovers_a_known_slope_and_bias() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, 4000)
    gold = (rng.random(4000) < 1 / (1 + np.exp(-(0.5 * logits - 1.0)))).astype(float)
    slope, bias = fit_platt(logits, gold)
    assert slope == pytest.approx(0.5, abs=0.1) and bias == pytest.approx(-1.0, abs=0.15)
    assert fit_platt(logits, np.zeros(4000)) == (1.0, 0.0)


def test_thresholds_maximise_f1_and_scores_are_exact() -> None:
    probs = np.array([[0.9], [0.8], [0.35], [0.3], [0.1]])
    gold = np.array([[True], [True], [True], [False], [False]])
    assert choose_threshold(probs[:, 0], gold[:, 0]) == pytest.approx(0.33)  # middle of the F1-best plateau 0.31…0.35
    separated = np.array([0.95, 0.9, 0.05, 0.02])
    assert choose_threshold(separated, np.array([True, True, False, False])) == pytest.approx(0.48)
    (row,) = score_signals(probs, gold, ["frustrated"], [0.5])
    assert (row.precision, row.recall, row.support, row.n) == (1.0, pytest.approx(2 / 3, abs=1e-4), 3, 5)
    assert row.auroc == 1.0
