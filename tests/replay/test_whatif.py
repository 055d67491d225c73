"""`--set`, `--tier` and `--sweep`: parsed against the policy model and the model's intents, with one clear
line for anything that cannot be used, and applied without touching the baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.core.policy import load_policy
from bot.replay import whatif
from bot.replay.whatif import WhatIfError

SAMPLE = Path(__file__).parents[2] / "examples" / "history" / "orbitask_tickets.csv"
INTENTS = ["password_reset", "sso_setup", "invoice_copy", "refund_request"]


def test_settings_are_checked_by_the_policy_model() -> None:
    policy = load_policy()
    assert whatif.parse_setting("low_confidence.threshold=0.5", policy).value == 0.5
    assert whatif.parse_setting("frustration.enabled=false", policy).value is False
    assert whatif.parse_setting("answer.max_wrong_rate=0.05", policy).value == 0.05
    assert whatif.parse_setting("business_rules.rules.billing_amount.amount=1000", policy).value == 1000.0
    assert whatif.parse_setting("signals.frustrated.threshold=null", policy).value is None
    with pytest.raises(
        WhatIfError, match=r"unknown policy setting 'low_confidence\.treshold'; did you mean low_confidence\.threshold"
    ):
        whatif.parse_setting("low_confidence.treshold=0.5", policy)
    with pytest.raises(WhatIfError, match=r"low_confidence\.threshold=abc: input should be a valid number.*\(now 0\.45\)"):
        whatif.parse_setting("low_confidence.threshold=abc", policy)
    with pytest.raises(WhatIfError, match="less than or equal to 1"):
        whatif.parse_setting("low_confidence.threshold=1.5", policy)
    with pytest.raises(WhatIfError, match="valid integer"):
        whatif.parse_setting("frustration.score_to_fire=2.5", policy)
    with pytest.raises(WhatIfError, match="expected KEY=VALUE"):
        whatif.parse_setting("low_confidence.threshold", policy)


def test_tiers_name_the_models_intents() -> None:
    assert whatif.parse_tier("sso_setup=auto", INTENTS) == whatif.TierSetting("sso_setup", "auto")
    with pytest.raises(WhatIfError, match="no intent 'sso_set_up'; did you mean sso_setup"):
        whatif.parse_tier("sso_set_up=auto", INTENTS)
    with pytest.raises(WhatIfError, match="unknown tier 'automatic'; one of auto, assisted, human, off"):
        whatif.parse_tier("sso_setup=automatic", INTENTS)


def test_sweeps() -> None:
    policy = load_policy()
    sweep = whatif.parse_sweep("low_confidence.threshold=0.3:0.7:0.05", policy)
    assert sweep.values == pytest.approx([0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7])
    with pytest.raises(WhatIfError, match="101 values; at most 25"):
        whatif.parse_sweep("low_confidence.threshold=0:1:0.01", policy)
    with pytest.raises(WhatIfError, match="not a number"):
        whatif.parse_sweep("low_confidence.enabled=0:1:1", policy)
    with pytest.raises(WhatIfError, match="less than or equal to 1"):
        whatif.parse_sweep("low_confidence.threshold=0.8:1.2:0.1", policy)
    with pytest.raises(WhatIfError, match="START:STOP:STEP"):
        whatif.parse_sweep("low_confidence.threshold=0.3-0.7", policy)


def test_apply_leaves_the_baseline_alone() -> None:
    policy = load_policy()
    variant = whatif.apply(
        policy, [whatif.parse_setting("low_confidence.threshold=0.5", policy)], [whatif.TierSetting("sso_setup", "auto")]
    )
    assert (variant.low_confidence.threshold, variant.tiers) == (0.5, {"sso_setup": "auto"})
    assert (policy.low_confidence.threshold, policy.tiers) == (0.45, {})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "low_confidence.treshold=0.5"], "unknown policy setting 'low_confidence.treshold'"),
        (["--set", "low_confidence.threshold=high"], "--set low_confidence.threshold=high: input should be a valid number"),
        (["--tier", "sso_stup=auto"], "--tier sso_stup=auto: the model has no intent 'sso_stup'; did you mean sso_setup?"),
        (["--sweep", "low_confidence.threshold=0.3:0.7"], "expected KEY=START:STOP:STEP"),
    ],
)
def test_the_command_refuses_in_one_line(
    args: list[str], message: str, bundled_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(SAMPLE), "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("supportbot: error: ") and message in err
    assert err.count("\n") == 1
