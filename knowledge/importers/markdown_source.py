"""Markdown articles from a folder, brought to this knowledge base's form with the same rules as HTML:
links through the same callback, images as notes, headings shifted so the top level is `##`.
Fenced code is left exactly as written."""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.importers.html_to_markdown import Conversion, Image, image_note, keep

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*)<?(\S+?)>?(\s+.*)?$")


def markdown_to_markdown(
    text: str, link: Callable[[str], str | None] = keep, image_src: Callable[[str], str] = str, known_title: str = ""
) -> Conversion:
    lines = text.replace("\r\n", "\n").split("\n")
    outside = _outside_fences(lines)
    headings = [i for i in range(len(lines)) if outside[i] and _HEADING.match(lines[i])]
    if known_title and headings:
        match = _HEADING.match(lines[headings[0]])
        if match and match.group(2).strip().casefold() == known_title.strip().casefold():
            lines[headings[0]] = ""
            headings.pop(0)
    levels = [len(m.group(1)) for i in headings if (m := _HEADING.match(lines[i]))]
    shift = 2 - min(levels) if levels else 0
    images: list[Image] = []

    def image(match: re.Match[str]) -> str:
        src = match.group(2)
        address = "embedded data, not kept" if src.startswith("data:") else image_src(src)
        images.append(Image(match.group(1).strip(), address))
        return image_note("image", match.group(1), address)

    def anchor(match: re.Match[str]) -> str:
        target = link(match.group(2)) if match.group(2) else None
        return match.group(1) if target is None else f"[{match.group(1)}]({target})"

    def reference(match: re.Match[str]) -> str:
        target = link(match.group(2))
        return f"{match.group(1)}{target}{match.group(3) or ''}" if target is not None else ""

    out = []
    for index, line in enumerate(lines):
        if not outside[index]:
            out.append(line)
            continue
        if (heading := _HEADING.match(line)) and index in headings:
            line = "#" * min(6, max(2, len(heading.group(1)) + shift)) + " " + heading.group(2)
        elif _REFERENCE.match(line):
            line = _REFERENCE.sub(reference, line)
        out.append(_LINK.sub(anchor, _IMAGE.sub(image, line)))
    return Conversion(re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip(), tuple(images))


def _outside_fences(lines: list[str]) -> list[bool]:
    """Per line: is it ordinary Markdown (True) or inside or delimiting a fenced code block (False)?"""
    flags, fence = [], ""
    for line in lines:
        match = _FENCE.match(line)
        if fence:
            flags.append(False)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
        elif match:
            flags.append(False)
            fence = match.group(1)
        else:
            flags.append(True)
    return flags
