"""The policy file: a bad one fails the start with the file, the setting and what is valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.policy import BUNDLED_POLICY, PolicyError, load_policy


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_policy_loads_and_names_only_bundled_intents(intent_names: list[str]) -> None:
    policy = load_policy(BUNDLED_POLICY)
    policy.check_intents(set(intent_names))
    assert [r.name for r in policy.business_rules.rules] == [
        "billing_amount",
        "enterprise_customer",
        "legal_or_security",
        "account_takeover",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("frustration:\n  score_to_fir: 3\n", "frustration.score_to_fir: Extra inputs are not permitted"),
        ("low_confidence:\n  threshold: 1.5\n", "low_confidence.threshold: Input should be less than or equal to 1"),
        ("human_request:\n  phrases: ['(unclosed']\n", "invalid regular expression '(unclosed'"),
        ("tiers:\n  sso_setup: sometimes\n", "tiers.sso_setup: Input should be 'auto', 'assisted', 'human' or 'off'"),
        (
            "business_rules:\n  rules:\n    - {name: x, kind: amount_under, amount: 5}\n",
            "does not match any of the expected tags",
        ),
        ("- just\n- a list\n", "expected a mapping of settings at the top level"),
        ("frustration: [\n", "invalid YAML"),
    ],
)
def test_a_bad_policy_is_refused_with_the_setting_named(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_intents_the_model_does_not_know_are_refused(tmp_path: Path, intent_names: list[str]) -> None:
    policy = load_policy(write(tmp_path, "tiers:\n  sso_setpu: auto\n"))
    with pytest.raises(PolicyError, match="policy names unknown intents: sso_setpu; valid: account_activation"):
        policy.check_intents(set(intent_names))


def test_a_missing_policy_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "nope.yaml")
