"""The bundled demo intents: the data the README's figures and the default bot rest on."""

import pytest

from bot.config import BUNDLED_INTENTS, BUNDLED_INTENTS_TEST
from models.dataset import LabelledData, load_data
from models.labels import OUT_OF_SCOPE

REQUIRED = {
    "password_reset", "login_trouble", "two_factor_auth", "account_activation", "sso_setup", "invite_users",
    "remove_users", "permissions_roles", "billing_question", "invoice_copy", "refund_request", "billing_dispute",
    "plan_change", "cancel_subscription", "data_export", "api_keys", "api_rate_limits", "github_integration",
    "bug_report", "service_status", "feature_request", "talk_to_human", "greeting", "thanks",
}  # fmt: skip


@pytest.fixture(scope="module")
def train() -> LabelledData:
    return load_data(BUNDLED_INTENTS)


@pytest.fixture(scope="module")
def test_split() -> LabelledData:
    return load_data(BUNDLED_INTENTS_TEST)


def test_covers_the_required_intents_with_enough_varied_examples(train: LabelledData) -> None:
    assert set(train.labels) >= REQUIRED
    assert len(train.labels) >= 25
    assert sum(1 for name in train.labels if name.startswith("howto_")) >= 3
    counts = train.counts()
    assert all(counts[label] >= 40 for label in train.labels)
    assert counts[OUT_OF_SCOPE] >= 100
    lengths = [len(e.text.split()) for e in train.examples]
    assert min(lengths) <= 2 and max(lengths) >= 40  # terse and rambling messages both present


def test_every_intent_has_a_description_and_a_tier(train: LabelledData) -> None:
    assert all(info.description and info.tier in {"auto", "assisted", "human"} for info in train.intents.values())


def test_held_out_split_shares_no_text_with_training(train: LabelledData, test_split: LabelledData) -> None:
    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    assert set(test_split.labels) == set(train.labels)
    assert not {norm(e.text) for e in train.examples} & {norm(e.text) for e in test_split.examples}
    assert test_split.counts()[OUT_OF_SCOPE] >= 50
