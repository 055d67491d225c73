"""Help-centre HTML to this knowledge base's Markdown, with the standard library only.

Kept: headings (shifted so the body's top level is `##`, the index's section unit), paragraphs, bold and
italic, nested lists, links, inline code and code blocks, simple tables, blockquotes. Scripts and styles
are dropped. Images are never downloaded: each becomes a note line `*(image: alt — URL)*`, which reads
well in a chat answer (where a Markdown image would not render) and keeps the alt text searchable.
Links and image addresses go through callbacks, so the caller decides what an article link becomes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.importers.html_tree import BLOCKS, Element, parse_html

DROPPED = frozenset({"script", "style", "noscript", "template", "head", "nav", "svg", "button", "select", "textarea", "form"})
EMBEDS = frozenset({"iframe", "video", "audio", "embed", "object"})
_WRAPS = {"strong": "**", "b": "**", "em": "*", "i": "*", "cite": "*", "del": "~~", "s": "~~", "strike": "~~"}
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")
_STARTS_BLOCK = re.compile(r"^(#{1,6}\s|>|[-+*]\s|\d+[.)]\s)")
_HEADING = re.compile(r"^h[1-6]$")
_LIST_MARKER = re.compile(r"^\s*(?:[-+*]|\d+\.)\s+")
_COMPLEX_IN_CELL = frozenset({"ul", "ol", "table", "pre", "blockquote"})


@dataclass(frozen=True)
class Image:
    alt: str
    src: str
    kind: str = "image"  # or "embedded content" (a video or other iframe)


@dataclass(frozen=True)
class Conversion:
    markdown: str
    images: tuple[Image, ...]


@dataclass(frozen=True)
class _Block:
    text: str
    is_list: bool = False


def keep(href: str) -> str | None:
    return href


def html_to_markdown(
    html: str, link: Callable[[str], str | None] = keep, image_src: Callable[[str], str] = str, known_title: str = ""
) -> Conversion:
    """`link(href)` gives the link's new target, or None to keep only its text; `image_src` makes an
    image's address absolute. A leading heading that repeats `known_title` is dropped (the article's
    `# Title` line is written apart)."""
    root = _content(parse_html(html))
    headings = [e for e in _visible(root) if _HEADING.match(e.tag)]
    if known_title and headings and _flat(headings[0].text()).casefold() == known_title.strip().casefold():
        root.remove(headings.pop(0))
    levels = [int(e.tag[1]) for e in headings]
    renderer = _Renderer(link, image_src, 2 - min(levels) if levels else 0)
    text = "\n\n".join(b.text for b in renderer.blocks(root.children))
    return Conversion(re.sub(r"\n{3,}", "\n\n", text).strip(), tuple(renderer.images))


def page_title(html: str) -> str:
    """A whole page's title: its first <h1>, else its <title>; "" when it has neither."""
    root = parse_html(html)
    first = next((e for e in _visible(root) if e.tag == "h1" and _flat(e.text())), None)
    if first is None:
        first = next((e for e in root.walk() if e.tag == "title"), None)
    return _flat(first.text()) if first is not None else ""


def image_note(kind: str, alt: str, address: str) -> str:
    """What stands in for an image or embedded video: a note naming it, listed in the report, never fetched."""
    alt = _flat(alt)
    return f"*({kind}: {alt} — {address})*" if alt else f"*({kind}: {address})*"


def _content(root: Element) -> Element:
    """A whole page's <main> (else its only <article>), without the site's header and footer around it."""
    if not any(e.tag == "body" for e in root.walk()):
        return root  # a help centre's article body: all of it is content
    main = [e for e in root.walk() if e.tag == "main"]
    articles = [e for e in root.walk() if e.tag == "article"]
    return main[0] if main else articles[0] if len(articles) == 1 else root


def _visible(root: Element) -> list[Element]:
    hidden = {id(d) for e in root.walk() if e.tag in DROPPED for d in e.walk()}
    return [e for e in root.walk() if id(e) not in hidden and e.tag not in DROPPED]


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _escape(text: str) -> str:
    return text.replace("*", "\\*").replace("`", "\\`")


class _Renderer:
    def __init__(self, link: Callable[[str], str | None], image_src: Callable[[str], str], shift: int) -> None:
        self.link = link
        self.image_src = image_src
        self.shift = shift
        self.images: list[Image] = []

    # ------------------------------------------------------------------ blocks

    def blocks(self, children: list[Element | str]) -> list[_Block]:
        out: list[_Block] = []
        run: list[str] = []
        for child in children:
            if isinstance(child, str):
                run.append(_escape(_SPACE.sub(" ", child)))
            elif child.tag in DROPPED:
                continue
            elif child.tag in BLOCKS or child.tag in EMBEDS:
                self._paragraph(run, out)
                out += self.block(child)
            else:
                run.append(self.inline(child))
        self._paragraph(run, out)
        return out

    def _paragraph(self, run: list[str], out: list[_Block]) -> None:
        lines = [re.sub(r" {2,}", " ", line).strip() for line in "".join(run).split("\n")]
        text = "\n".join(("\\" + line if _STARTS_BLOCK.match(line) else line) for line in lines if line)
        if text:
            out.append(_Block(text))
        run.clear()

    def block(self, element: Element) -> list[_Block]:
        tag = element.tag
        if _HEADING.match(tag):
            text = _flat(self.inline(element).replace("\n", " "))
            level = min(6, max(2, int(tag[1]) + self.shift))
            return [_Block("#" * level + " " + text)] if text else []
        if tag in ("ul", "ol"):
            return self.list_block(element)
        if tag == "pre":
            return [self.code_block(element)]
        if tag == "blockquote":
            inner = "\n\n".join(b.text for b in self.blocks(element.children))
            return [_Block("\n".join(f"> {line}" if line else ">" for line in inner.split("\n")))] if inner else []
        if tag == "table":
            return self.table_block(element)
        if tag == "hr":
            return [_Block("---")]
        if tag in EMBEDS:
            note = self.embed(element)
            return [_Block(note)] if note else []
        if tag in ("dt", "summary"):
            text = _flat(self.inline(element))
            return [_Block(f"**{text}**")] if text else []
        return self.blocks(element.children)

    def list_block(self, element: Element) -> list[_Block]:
        ordered = element.tag == "ol"
        start = int(element.attrs["start"]) if ordered and element.attrs.get("start", "").isdigit() else 1
        items: list[list[_Block]] = []
        for child in element.children:
            if isinstance(child, str):
                if child.strip():
                    items.append([_Block(_escape(_flat(child)))])
            elif child.tag in ("ul", "ol") and items:
                items[-1] += self.list_block(child)  # a list directly inside a list belongs to the item before it
            elif child.tag not in DROPPED:
                items.append(self.blocks(child.children if child.tag == "li" else [child]))
        rendered = []
        for number, blocks in enumerate((item for item in items if item), start):
            marker = f"{number}. " if ordered else "- "
            text = ""
            for block in blocks:
                text += ("\n" if block.is_list else "\n\n") + block.text if text else block.text
            lines = text.split("\n") if text else [""]
            pad = " " * len(marker)
            rendered.append("\n".join([marker + lines[0], *((pad + line) if line else "" for line in lines[1:])]))
        loose = any("\n\n" in item for item in rendered)
        return [_Block(("\n\n" if loose else "\n").join(rendered), is_list=True)] if rendered else []

    def table_block(self, element: Element) -> list[_Block]:
        """A Markdown table when every cell is a line of text; a list of labelled rows when cells hold
        lists, code or other tables (or span rows), which a Markdown table cannot show."""
        rows: list[list[str]] = []
        header = False
        simple = True
        for number, (row, in_head) in enumerate(_rows(element)):
            cells: list[str] = []
            for cell in (c for c in row.children if isinstance(c, Element) and c.tag in ("td", "th")):
                if any(e.tag in _COMPLEX_IN_CELL for e in cell.walk()) or cell.attrs.get("rowspan", "1") not in ("", "1"):
                    simple = False
                lines = [_LIST_MARKER.sub("", line) for b in self.blocks(cell.children) for line in b.text.split("\n")]
                text = ", ".join(line.strip() for line in lines if line.strip())
                span = int(cell.attrs["colspan"]) if cell.attrs.get("colspan", "").isdigit() else 1
                cells += [text.replace("|", "\\|")] + [""] * (min(span, 20) - 1)
            if number == 0:
                header = all(c.tag == "th" for c in row.children if isinstance(c, Element)) or in_head
            if any(cells):
                rows.append(cells)
        if not rows:
            return []
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        if not simple:
            names = rows[0] if header else [""] * width
            body = rows[1:] if header else rows
            lines = ["- " + "; ".join(f"{n}: {v}" if n else v for n, v in zip(names, r, strict=True) if v) for r in body]
            return [_Block("\n".join(lines), is_list=True)]
        lines = ["| " + " | ".join(r) + " |" for r in rows]
        lines.insert(1, "|" + " --- |" * width)
        return [_Block("\n".join(lines))]

    def code_block(self, element: Element) -> _Block:
        code = element.text().strip("\n").rstrip()
        classes = " ".join([element.attrs.get("class", "")] + [e.attrs.get("class", "") for e in element.walk()])
        language = m.group(1) if (m := re.search(r"\b(?:language|lang)-([\w+#-]+)", classes)) else ""
        fence = "```" if "```" not in code else "````"
        return _Block(f"{fence}{language}\n{code}\n{fence}")

    # ------------------------------------------------------------------ inline

    def inline(self, element: Element) -> str:
        tag = element.tag
        if tag in DROPPED:
            return ""
        if tag == "br":
            return "\n"
        if tag == "img":
            src = element.attrs.get("src", "")
            return f" {self.note('image', element.attrs.get('alt', ''), src)} " if src else ""
        if tag in EMBEDS:
            return f" {self.embed(element)} "
        if tag in _CODE:
            code = _SPACE.sub(" ", element.text())
            if not code.strip():
                return code
            tick = "``" if "`" in code else "`"
            return f"{tick}{code.strip()}{tick}"
        content = "".join(_escape(_SPACE.sub(" ", c)) if isinstance(c, str) else self.inline(c) for c in element.children)
        if tag in _WRAPS:
            stripped = content.strip()
            if not stripped:
                return content
            lead, trail = content[: len(content) - len(content.lstrip())], content[len(content.rstrip()) :]
            return f"{lead}{_WRAPS[tag]}{stripped}{_WRAPS[tag]}{trail}"
        if tag == "a":
            return self.anchor(element, content)
        if tag in BLOCKS:  # a block inside inline text (a <p> in a table cell): keep it on its own line
            return f"\n{content.strip()}\n"
        return content

    def anchor(self, element: Element, content: str) -> str:
        href = element.attrs.get("href", "").strip()
        target = self.link(href) if href and not href.lower().startswith("javascript:") else None
        text = _flat(content.replace("\n", " "))
        if target is None:
            return content
        if not text:
            return f" <{target}> "
        lead, trail = content[: len(content) - len(content.lstrip())], content[len(content.rstrip()) :]
        return f"{lead}[{text}]({target.replace(' ', '%20').replace(')', '%29')}){trail}"

    def embed(self, element: Element) -> str:
        """A video or other iframe: a note with its address (from `src`, or a nested <source>)."""
        src = element.attrs.get("src") or next((e.attrs["src"] for e in element.walk() if e.attrs.get("src")), "")
        return self.note("embedded content", "", src) if src else ""

    def note(self, kind: str, alt: str, src: str) -> str:
        address = "embedded data, not kept" if src.startswith("data:") else self.image_src(src)
        self.images.append(Image(_flat(alt), address, kind))
        return image_note(kind, alt, address)


def _rows(table: Element) -> list[tuple[Element, bool]]:
    """The table's own rows (not those of a table nested in a cell), each with whether it is in <thead>."""
    rows = []
    for child in table.children:
        if isinstance(child, Element) and child.tag == "tr":
            rows.append((child, False))
        elif isinstance(child, Element) and child.tag in ("thead", "tbody", "tfoot"):
            rows += [(r, child.tag == "thead") for r in child.children if isinstance(r, Element) and r.tag == "tr"]
    return rows
