"""The `supportbot` command line: subcommands are registered modules, each with one job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from bot import __version__
from bot.cli import (
    audit,
    chat,
    discord,
    evaluate,
    export,
    feedback,
    forget,
    kb,
    predict,
    purge,
    replay,
    report,
    run,
    slack,
    train,
)
from bot.config import ConfigError, load_settings
from bot.core.customer_data import CustomerDataError
from bot.core.directory import DirectoryError
from bot.core.policy import PolicyError
from bot.core.roster import RosterError
from bot.feedback_csv import FeedbackFileError
from bot.history.errors import HistoryFileError
from bot.logs import configure_logging
from bot.model_store import ModelTrainingFailed
from knowledge.answer_set import AnswerSetError
from knowledge.errors import ActionError, KnowledgeBaseError
from models.errors import SupportbotModelError

# Each module provides NAME, HELP, add_arguments(parser) and run(args, settings) -> exit code.
COMMANDS: tuple[ModuleType, ...] = (
    chat, slack, discord, run, train, evaluate, predict, kb, feedback, forget, export, purge, audit, replay, report
)  # fmt: skip


# Problems the person running the command can fix: one clear line, exit 2, no traceback.
USER_ERRORS = (
    ConfigError,
    PolicyError,
    RosterError,
    DirectoryError,
    SupportbotModelError,
    ModelTrainingFailed,
    KnowledgeBaseError,
    ActionError,
    FeedbackFileError,
    HistoryFileError,
    AnswerSetError,
    CustomerDataError,
    forget.NotConfirmed,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportbot", description="Self-hosted customer-support bot.")
    parser.add_argument("--version", action="version", version=f"supportbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        child = sub.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(child)
        child.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings)
        return int(args.handler(args, settings))
    except USER_ERRORS as exc:
        print(f"supportbot: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
