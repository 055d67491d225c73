"""Dependencies point inward: the checks a reviewer would otherwise have to remember."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "discord")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (REPO / folder).rglob("*.py")]


def test_platform_sdks_are_imported_only_by_adapters() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in python_files("bot", "models", "knowledge")
        if "adapters" not in path.parts and any(name.split(".")[0] in PLATFORM_SDKS for name in imports_of(path))
    ]
    assert offenders == []


def test_models_and_knowledge_do_not_import_the_bot() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in python_files("models", "knowledge")
        if any(name == "bot" or name.startswith("bot.") for name in imports_of(path))
    ]
    assert offenders == []


def test_serving_code_never_imports_training_at_module_level() -> None:
    """`supportbot train` imports training inside its handler; nothing else may import it at all."""
    offenders = []
    for path in python_files("bot", "models"):
        if "training" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        for node in top_level:
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            if module and module.startswith("models.training"):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_the_core_knows_no_adapter_command_line_or_platform() -> None:
    """Adapters depend on the core, never the reverse, so a new platform never touches the core."""
    offenders = [
        f"{path.relative_to(REPO)}: {name}"
        for path in python_files("bot/core")
        for name in imports_of(path)
        if name.startswith(("bot.adapters", "bot.cli", "bot.runtime")) or name.split(".")[0] in PLATFORM_SDKS
    ]
    assert offenders == []


def test_core_files_stay_small() -> None:
    """One job per file: split before ~400 lines."""
    large = [
        f"{p.relative_to(REPO)}" for p in python_files("bot", "models", "knowledge") if len(p.read_text().splitlines()) > 400
    ]
    assert large == []


def test_the_core_is_product_neutral() -> None:
    """A team that trains its own intents gets the same behaviour: no product name, bundled intent name or
    platform markup in the core's code (roles and texts live in the policy, the name in settings)."""
    bundled = [
        line.split(":")[0].strip()
        for line in (REPO / "models/intents/orbitask.yaml").read_text().splitlines()
        if line.startswith("  ") and not line.startswith("   ") and line.strip().endswith(":")
    ]
    assert "talk_to_human" in bundled and "greeting" in bundled
    offenders = []
    for path in python_files("bot/core"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if (
                    text in bundled
                    or "orbitask" in text.lower()
                    or (text.startswith("*") and text.endswith("*") and len(text) > 2)
                ):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: {text!r}")
    assert offenders == []
