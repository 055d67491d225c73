"""The human-readable model card written next to the weights."""

from __future__ import annotations

from typing import Any


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100 * float(value):.2f}%"


def render_card(card: dict[str, Any]) -> str:
    data, training, val = card["data"], card["training"], card["validation"]
    chosen = card["out_of_scope"]["chosen"]
    lines = [
        "# supportbot intent model",
        "",
        f"- Created: {card['created_at']}",
        f"- Base model: `{card['base_model']}`",
        f"- Data: `{data['source']}` (sha256 `{data['sha256'][:16]}…`), {data['intents']} intents, "
        f"{data['train_examples']} training / {data['validation_examples']} validation examples "
        f"({data['validation_source']}); explicit out-of-scope class: {data['out_of_scope_class']}",
        f"- Training: {training['epochs_run']} epochs, {training['steps']} steps, batch {training['batch_size']}, "
        f"lr {training['learning_rate']}, seed {training['seed']}, {training['seconds']} s on "
        f"{training['torch_threads']} threads (torch {training['torch']}, transformers {training['transformers']})",
        f"- Calibration: temperature {card['calibration']['temperature']}, expected calibration error "
        f"{_pct(card['calibration']['ece_before'])} before → {_pct(card['calibration']['ece_after'])} after",
        f"- Out-of-scope score: `{chosen['scorer']}` (k={chosen['k']}), threshold {chosen['threshold']:.4f}, "
        f"chosen on validation data",
        "",
        "## Validation",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {name} | {_pct(value)} |" for name, value in val.items()]
    candidates = card["out_of_scope"]["candidates"]
    if candidates:
        lines += [
            "",
            "## Out-of-scope scorers measured",
            "",
            "| scorer | k | AUROC | in-scope acc | OOS recall |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {c['scorer']} | {c['k']} | {_pct(c['auroc'])} | {_pct(c['in_scope_accuracy'])} | {_pct(c['oos_recall'])} |"
            for c in candidates
        ]
    if card.get("most_confused"):
        lines += ["", "## Most confused (validation)", ""]
        lines += [f"- {gold} → {pred}: {n}" for gold, pred, n in card["most_confused"]]
    charts = "`training_curve.png`, `confusion_matrix_validation.png`"
    if card.get("signals"):
        lines += _signal_lines(card["signals"])
        charts += ", `signals_thresholds_validation.png`"
    lines += ["", f"Charts: {charts}.", ""]
    return "\n".join(lines)


def _signal_lines(signals: dict[str, Any]) -> list[str]:
    train, val = signals["train"], signals["validation"]
    lines = [
        "",
        "## Conversation signals",
        "",
        f"- Data: `{signals['source']}` (sha256 `{signals['sha256'][:16]}…`), {train['turns']} training turns in "
        f"{train['conversations']} conversations, {val['turns']} validation turns in {val['conversations']} "
        "conversations (split whole)",
        f"- Head: on the encoder pass the intents use (their mean-pooled vector plus an attention pooling of the "
        f"same token states) and the conversation's context features; loss weight {signals['loss_weight']}; "
        f"{signals['calibration']['method']}; each threshold at the middle of the validation F1 plateau",
        "",
        "| signal | threshold | precision | recall | F1 | AUROC | ECE before → after | positives |",
        "|---|---|---|---|---|---|---|---|",
    ]
    before = signals["calibration"]["ece_before"]
    lines += [
        f"| {m['name']} | {m['threshold']:.2f} | {_pct(m['precision'])} | {_pct(m['recall'])} | {_pct(m['f1'])} | "
        f"{m['auroc']:.3f} | {_pct(before[m['name']])} → {_pct(m['ece'])} | {m['support']}/{m['n']} |"
        for m in signals["metrics"]
    ]
    return lines
