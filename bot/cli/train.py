"""`supportbot train`: fine-tune the intent classifier on an intents YAML file or a CSV export, and
the conversation-signals head on the signals file, in one model."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from bot.config import BUNDLED_INTENTS_TEST, Settings

NAME = "train"
HELP = "fine-tune the intent classifier and signals head (default: the bundled intents and signals)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, help="intents YAML or CSV export (default: SUPPORTBOT_INTENTS_FILE)")
    parser.add_argument("--text-column", default="text", help="CSV column holding the message (default: text)")
    parser.add_argument("--label-column", default="label", help="CSV column holding the intent (default: label)")
    parser.add_argument("--signals", type=Path, help="signal YAML file or directory (default: SUPPORTBOT_SIGNALS_DATA)")
    parser.add_argument("--no-signals", action="store_true", help="intents only: no signals head")
    parser.add_argument("--val-data", type=Path, help="validation file; default: a stratified 15%% hold-out")
    parser.add_argument("--out", type=Path, help="model directory to write (default: SUPPORTBOT_MODEL_DIR)")
    parser.add_argument("--base-model", help="encoder package or directory (default: SUPPORTBOT_BASE_MODEL)")
    parser.add_argument("--epochs", type=int, help="default: chosen from the data size")
    parser.add_argument("--seed", type=int, help="default: SUPPORTBOT_SEED")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--with-feedback",
        action="store_true",
        help="add the examples agents and customers confirmed (from the database); replace the serving model "
        "only if the held-out test split did not get worse",
    )
    parser.add_argument(
        "--feedback", type=Path, help="--with-feedback from a reviewed CSV (`supportbot feedback export`) instead of the database"
    )
    parser.add_argument("--test-data", type=Path, help="held-out split for --with-feedback (default: the bundled test split)")
    parser.add_argument(
        "--max-drop", type=float, default=0.005, help="largest held-out macro-F1 or accuracy drop --with-feedback accepts"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: training code stays out of every other command's process.
    from models.dataset import load_data
    from models.signal_data import load_signal_data
    from models.training import TrainConfig, train_model

    data_path = args.data or settings.intents_file
    data = load_data(data_path, args.text_column, args.label_column)
    val = load_data(args.val_data, args.text_column, args.label_column) if args.val_data else None
    signals_path = None if args.no_signals else (args.signals or settings.signals_data)
    signals = load_signal_data(signals_path) if signals_path else None
    config = TrainConfig(
        base_model=args.base_model or settings.base_model,
        epochs=args.epochs,
        seed=settings.seed if args.seed is None else args.seed,
        threads=settings.torch_threads or None,
    )
    out = args.out or settings.model_dir
    serving = out
    intents_hash = data.content_hash()
    extra = None
    if args.with_feedback:
        from bot.feedback_csv import read_csv
        from bot.retrain import from_database, merge, with_feedback

        rows = read_csv(args.feedback, data.labels) if args.feedback else from_database(settings.database_url)
        extra = merge(data, rows)
        sources = ", ".join(f"{source} {n}" for source, n in sorted(extra.by_source.items())) or "none yet"
        left = "; left out: " + ", ".join(f"{why} {n}" for why, n in extra.skipped.items()) if extra.skipped else ""
        print(f"feedback: {len(extra.examples)} confirmed examples from the database ({sources}){left}")
        data = with_feedback(data, extra)
        out = serving.with_name(serving.name + ".candidate")
        if out.exists():
            shutil.rmtree(out)
    counts = data.counts()
    print(
        f"training on {data_path}: {len(data.examples)} examples, {len(data.labels)} intents"
        f"{', with out-of-scope examples' if data.has_out_of_scope else ''}; base model {config.base_model}"
    )
    if min(counts.values()) < 10:
        rare = ", ".join(f"{label} ({n})" for label, n in sorted(counts.items(), key=lambda kv: kv[1])[:5])
        print(f"warning: few examples for {rare}; expect weak accuracy on those intents")
    if signals is not None:
        positives = ", ".join(f"{name} {n}" for name, n in signals.positives().items())
        size = f"{len(signals.turns)} turns in {len(signals.conversations)} conversations"
        print(f"signals from {signals_path}: {size} ({positives})")
    result = train_model(data, out, config, val_data=val, progress=not args.quiet, signal_data=signals)
    val_report = result.validation
    print(f"\nsaved model to {out} in {result.seconds:.0f} s ({result.history.epochs} epochs)")
    print(
        f"validation: in-scope accuracy {val_report.in_scope_accuracy:.1%}, macro-F1 {val_report.macro_f1:.3f}, "
        f"calibration error {val_report.calibration_error:.3f}"
    )
    if val_report.oos_recall is not None:
        print(
            f"out-of-scope: recall {val_report.oos_recall:.1%}, precision {val_report.oos_precision:.1%}, "
            f"AUROC {val_report.oos_auroc:.3f} (scorer {result.manifest.ood.scorer})"
        )
    if result.signals is not None:
        for row in result.signals.validation:
            print(
                f"signal {row.name}: precision {row.precision:.1%}, recall {row.recall:.1%} at threshold {row.threshold:.2f} "
                f"(AUROC {row.auroc:.3f}, calibration error {row.ece:.3f}; {row.support} of {row.n} validation turns)"
            )
    print(
        f"model card: {out / 'MODEL_CARD.md'}; charts: training_curve.png, confusion_matrix_validation.png"
        + (", signals_thresholds_validation.png" if result.signals is not None else "")
    )
    if extra is None:
        return 0
    return _promote(args, serving, out, intents_hash, len(extra.examples))


def _promote(args: argparse.Namespace, serving: Path, candidate: Path, intents_hash: str, n_feedback: int) -> int:
    """Compare the candidate with the serving model on the held-out split; swap it in only if not worse."""
    from bot.retrain import judge, replace_model, score
    from models.artifact import CARD_JSON, MANIFEST
    from models.dataset import load_data

    card_path = candidate / CARD_JSON
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["feedback"] = {"examples": n_feedback, "intents_sha256": intents_hash}  # still current for the intents file
    card_path.write_text(json.dumps(card, indent=2), encoding="utf-8")
    test_path = args.test_data or BUNDLED_INTENTS_TEST
    test = load_data(test_path)
    try:
        before = score(serving, test) if (serving / MANIFEST).is_file() else None
    except Exception as exc:  # an unreadable serving model is replaced, said out loud
        print(f"the serving model in {serving} could not be scored ({type(exc).__name__}); comparing with nothing")
        before = None
    verdict = judge(before, score(candidate, test), args.max_drop)
    print(f"\nheld-out ({test_path}, {len(test.examples)} examples):")
    figures = (("in-scope accuracy", "in_scope_accuracy"), ("macro-F1", "macro_f1"), ("out-of-scope recall", "oos_recall"))
    for name, key in figures:
        after = getattr(verdict.after, key)
        old = getattr(verdict.before, key) if verdict.before else None
        if after is not None:
            print(f"  {name}: {'-' if old is None else f'{old:.3f}'} → {after:.3f}")
    for intent, old_f1, new_f1 in verdict.changes():
        print(f"  {intent}: F1 {old_f1:.3f} → {new_f1:.3f}")
    if not verdict.accepted:
        print(f"kept the serving model: {verdict.reason}; the candidate stays in {candidate} for a look")
        return 3
    previous = replace_model(serving, candidate)
    print(f"the new model is in {serving} ({verdict.reason}); the old one is in {previous}. `/model reload` serves it.")
    return 0
