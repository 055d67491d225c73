"""The container files agree with the code: what the Dockerfile copies exists, its user is not root, its
healthcheck asks a route the ops server serves on the port it exposes, its command parses, and
compose.yaml wires the bot to a healthy PostgreSQL. (Building the image needs a Docker daemon and a
registry; these checks need neither.)"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

from bot.cli import build_parser
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    lines = [line for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [
        (word.upper(), rest.strip()) for word, _, rest in (line.strip().partition(" ") for line in joined.splitlines()) if word
    ]


def args(name: str) -> list[str]:
    return [rest for word, rest in instructions() if word == name]


def env() -> dict[str, str]:
    return dict(pair.split("=", 1) for rest in args("ENV") for pair in shlex.split(rest))


def exec_form(text: str) -> list[str]:
    value = json.loads(text)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), f"{text} is not exec form"
    return value


def test_the_image_runs_as_a_non_root_user() -> None:
    users = args("USER")
    assert users, "no USER: the bot would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0") and user == "10001"


def test_the_image_starts_from_python_slim_and_copies_only_what_exists() -> None:
    assert args("FROM") == ["python:3.11-slim"]
    ignored = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    copied = [source for rest in args("COPY") for source in rest.split()[:-1]]
    assert {"pyproject.toml", "README.md", "bot", "models", "knowledge"} <= set(copied)
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), f"COPY {source} is excluded by .dockerignore"


def test_the_healthcheck_asks_the_ops_server_on_its_exposed_port() -> None:
    (healthcheck,) = args("HEALTHCHECK")
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", healthcheck)
    assert url and "CMD" in healthcheck and "--start-period" in healthcheck, healthcheck
    port, path = url.groups()
    ops = ROOT / "bot" / "ops_server.py"
    sources = [ops] if ops.exists() else sorted((ROOT / "bot").rglob("*.py"))
    assert any(f'"{path}"' in source.read_text(encoding="utf-8") for source in sources), f"no {path} route in {ops}"
    variables = env()
    assert variables["SUPPORTBOT_OPS_PORT"] == port and variables["SUPPORTBOT_OPS_HOST"] == "0.0.0.0"
    assert {"3000", port} <= set(" ".join(args("EXPOSE")).split())


def test_the_environment_names_real_settings_and_keeps_state_on_the_volume() -> None:
    variables = env()
    fields = {f"SUPPORTBOT_{name.upper()}" for name in Settings.model_fields}
    assert {name for name in variables if name.startswith("SUPPORTBOT_")} <= fields
    (volume,) = args("VOLUME")
    assert volume == "/data"
    assert variables["SUPPORTBOT_MODEL_DIR"].startswith("/data/") and variables["XDG_CACHE_HOME"].startswith("/data/")
    assert variables["HF_HUB_OFFLINE"] == "1"


def test_the_command_is_the_installed_script_and_parses() -> None:
    (entrypoint,) = args("ENTRYPOINT")
    (command,) = args("CMD")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert exec_form(entrypoint) == ["supportbot"] and "supportbot" in scripts
    parsed = build_parser().parse_args(exec_form(command))
    assert (parsed.command, parsed.http) == ("slack", True)
    torch_index = "--extra-index-url https://download.pytorch.org/whl/cpu"
    assert any(torch_index in rest and "pip install" in rest for rest in args("RUN"))


@pytest.fixture(scope="module")
def compose() -> dict[str, object]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_the_bot_on_a_healthy_postgres(compose: dict[str, object]) -> None:
    services = compose["services"]
    assert isinstance(services, dict) and set(services) == {"postgres", "bot"}
    postgres, bot = services["postgres"], services["bot"]
    assert postgres["image"] == "postgres:16" and "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert bot["build"] == "." and bot["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    url = bot["environment"]["DATABASE_URL"]
    user, password, db = (postgres["environment"][f"POSTGRES_{key}"] for key in ("USER", "PASSWORD", "DB"))
    assert url == f"postgresql+psycopg://{user}:{password}@postgres:5432/{db}"
    assert bot["env_file"] == [{"path": ".env", "required": False}]


def test_compose_publishes_the_ports_and_names_its_volumes(compose: dict[str, object]) -> None:
    services, volumes = compose["services"], compose["volumes"]
    assert isinstance(services, dict) and isinstance(volumes, dict)
    bot = services["bot"]
    assert {port.split(":")[-1] for port in bot["ports"]} == {"3000", "9108"}
    mounts = dict(volume.split(":")[::-1] for volume in [*bot["volumes"], *services["postgres"]["volumes"]])
    assert mounts["/data"] in volumes and mounts["/var/lib/postgresql/data"] in volumes
