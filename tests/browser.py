"""A real headless browser for the HTML reports: Debian's chromium renders the file and takes a
screenshot, which the test then reads (charts are PNG data URIs: a chart that failed to decode would
leave its area blank). Skipped on a developer machine without chromium, a failure in CI (CI=true)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

MATPLOTLIB_BLUE = (31, 119, 180)  # the first colour of matplotlib's default cycle: a drawn chart has it


@dataclass(frozen=True)
class Screenshot:
    path: Path
    size: tuple[int, int]
    colours: int  # distinct colours in the picture
    chart_pixels: int  # pixels close to matplotlib's first colour


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            raise RuntimeError("chromium is not installed (apt-get install chromium): the report checks need it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def screenshot(page: Path, out: Path, width: int = 1280, height: int = 3000) -> Screenshot:
    """Render `page` headless (no network: a self-contained report needs none) and read the picture."""
    from PIL import Image

    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--disable-extensions",
        "--no-first-run", f"--user-data-dir={out.parent / 'chromium-profile'}", "--proxy-server=127.0.0.1:9",
        f"--window-size={width},{height}", f"--screenshot={out}", page.resolve().as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    with Image.open(out) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        near = sum(n for n, c in colours if all(abs(a - b) <= 12 for a, b in zip(c, MATPLOTLIB_BLUE, strict=True)))
        return Screenshot(out, rgb.size, len(colours), near)
