"""Errors that name the file (and line) a person has to fix."""

from __future__ import annotations

from pathlib import Path


class SupportbotModelError(Exception):
    """Base class for the model package's user-facing errors."""


class DataFileError(SupportbotModelError):
    """Training or evaluation data that cannot be used as it is."""

    def __init__(self, path: Path | str, problem: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {problem}")


class ModelDirectoryError(SupportbotModelError):
    """A trained-model directory that is missing, broken or made by an incompatible version."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"model directory {self.path}: {problem}")


class BaseModelError(SupportbotModelError):
    """The configured base encoder cannot be found offline."""
