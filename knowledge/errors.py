"""Knowledge-base problems, each naming the file and line a writer has to fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str
    severity: str = "error"  # "error" blocks loading; "warning" (e.g. not reviewed lately) does not

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}" + (" (warning)" if self.severity == "warning" else "")


class KnowledgeBaseError(Exception):
    """The knowledge base cannot be loaded as it is; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listed = "\n  ".join(str(p) for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n  {listed}{more}")


class ActionError(Exception):
    """An action's configuration is unusable (raised at load time, not while serving)."""
