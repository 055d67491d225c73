"""A forgiving HTML parser (standard library only) that builds a small element tree.

Help-centre bodies are hand-edited HTML: unclosed `<p>` and `<li>`, stray end tags, entities. The tree
closes what HTML implies (a new `<li>` ends the previous one, a block ends an open paragraph) so the
Markdown renderer can walk clean nesting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "center", "details", "dd", "div", "dl", "dt", "fieldset"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li"),
        *("main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
    }
)
# Opening KEY closes an open element in the first set, unless an element in the second set is nearer.
_IMPLIED_END = {
    "li": ({"li"}, {"ul", "ol"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr", "td", "th"}, {"table", "thead", "tbody", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "thead": ({"thead", "tbody", "tr", "td", "th"}, {"table"}),
    "tbody": ({"thead", "tbody", "tr", "td", "th"}, {"table"}),
}
_P_BOUNDARY = {"li", "td", "th", "blockquote", "div", "section", "article", "dd", "body", "table", "figure"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def walk(self) -> Iterator[Element]:
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.walk()

    def text(self) -> str:
        """All text below, whitespace kept as written (for `<pre>` and titles)."""
        return "".join(c if isinstance(c, str) else ("\n" if c.tag == "br" else c.text()) for c in self.children)

    def remove(self, target: Element) -> bool:
        for index, child in enumerate(self.children):
            if child is target:
                del self.children[index]
                return True
            if isinstance(child, Element) and child.remove(target):
                return True
        return False


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return  # an end tag with nothing open to close is ignored, as browsers do

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _close_implied(self, tag: str) -> None:
        closes, boundary = _IMPLIED_END.get(tag, (set(), set()))
        if tag in BLOCKS:
            closes, boundary = closes | {"p"}, boundary | (_P_BOUNDARY - closes)
        farthest = None  # `<li>` in `<li><p>…` closes both: the outermost match up to a boundary
        for depth in range(len(self.stack) - 1, 0, -1):
            name = self.stack[depth].tag
            if name in boundary:
                break
            if name in closes:
                farthest = depth
        if farthest is not None:
            del self.stack[farthest:]


def parse_html(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
