"""Discovering topics: the clustering is exact average linkage, names come from distinctive words, and
the two topics of the small export are found."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bot.audit import linkage
from bot.audit.clusters import group, shown
from bot.audit.linkage import clusters_at
from bot.audit.naming import distinctive_words, words
from bot.audit.result import AuditResult


def brute_force(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Textbook average linkage: merge the most similar pair of clusters while it clears the threshold."""
    groups = [[i] for i in range(len(vectors))]
    sim = vectors @ vectors.T
    while len(groups) > 1:
        (a, b), best = max(
            (
                (pair, sim[np.ix_(groups[pair[0]], groups[pair[1]])].mean())
                for pair in itertools.combinations(range(len(groups)), 2)
            ),
            key=lambda x: x[1],
        )
        if best < threshold:
            break
        groups[a] = sorted(groups[a] + groups.pop(b))
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.5, 0.7])
def test_the_nearest_neighbour_chain_gives_textbook_average_linkage(threshold: float) -> None:
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(4, 16))
    vectors = unit(np.concatenate([c + 0.6 * rng.normal(size=(6, 16)) for c in centres]))
    assert clusters_at(vectors, threshold) == brute_force(vectors, threshold)


def test_a_large_set_is_clustered_on_a_sample_and_the_rest_joins(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    centres = unit(rng.normal(size=(3, 32)))
    vectors = unit(np.concatenate([c + 0.05 * rng.normal(size=(20, 32)) for c in centres]))
    monkeypatch.setattr(linkage, "MAX_POINTS", 15)
    found = clusters_at(vectors, 0.8)
    assert sorted(len(g) for g in found) == [20, 20, 20]
    assert sorted(i for g in found for i in g) == list(range(60))
    assert clusters_at(np.zeros((0, 4)), 0.5) == []


def test_names_are_the_words_that_set_a_cluster_apart() -> None:
    slack = [
        "Slack channel gets no updates, please help",
        "Connect Slack to our workspace please",
        "Slack channel updates stopped",
    ]
    background = [f"Please help with my account, invoice number {i}" for i in range(30)]
    assert distinctive_words([slack], background) == [["slack", "channel", "updates"]]
    assert "please" not in words("Please help") and "the" not in words("the channel")


def test_small_groups_stay_unknown_and_examples_are_the_most_typical() -> None:
    vectors = unit(np.array([[1, 0.1, 0], [1, 0, 0.1], [1, 0.05, 0.05], [0, 1, 0], [0, 0, 1]], dtype=float))
    texts = ["slack channel", "slack channel updates", "slack updates", "invoice", "password"]
    found = group(vectors, texts, ["", "", "", "", ""], ["invoice copy"] * 5, min_size=3)
    assert [t.members for t in found.topics] == [(2, 0, 1)] and found.other == (3, 4)
    assert found.topics[0].examples[0] == "slack updates" and found.topics[0].cohesion > 0.9


def test_an_example_shows_the_subject_and_the_message() -> None:
    assert shown("Support request", "Support request\n\nPlease delete my account") == "Support request — Please delete my account"
    assert shown("Slack channel", "Slack channel notifications stopped") == "Slack channel notifications stopped"
    assert shown("", "x" * 200).endswith("…") and len(shown("", "x" * 200)) == 100


def test_the_small_exports_two_new_topics_are_found_and_named(small_audit: AuditResult) -> None:
    names = {t.name: t for t in small_audit.topics}
    assert len(names) == 2, names
    slack = next(t for t in small_audit.topics if "slack" in t.words)
    jobs = next(t for t in small_audit.topics if {"job", "apply", "cv"} & set(t.words))
    assert slack.tickets >= 4 and jobs.tickets >= 4
    assert slack.labels[0].label == "slack_integration" and jobs.labels[0].label == "careers"
    assert len(slack.examples) == 3 and all("Slack" in e for e in slack.examples)
