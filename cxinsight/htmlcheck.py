"""What a generated HTML page holds, read with the standard library: headings, tables (caption and
cells), images, links and anything the page would fetch. :func:`problems` lists what would make a
page unfit to hand over; :func:`cxinsight.report.build_reports` fails the run on any.

>>> page = read_markup('<html lang="en-GB"><h1>T</h1><h3>x</h3><table><tr><td>3</td></tr></table>'
...                    '<img src="https://cdn.example/x.png">')
>>> for p in problems(page): print(p)
heading h3 'x' follows h1
table 1 has no caption
table 'table 1' shows a count from 1 to 7: '3'
image 1 has no alt text
fetches img https://cdn.example/x.png
>>> for p in problems(read_markup('<html lang="en"><h1 onclick="x()">T</h1><svg></svg>'
...                                '<a href="javascript:go()">go</a><style>b{background:url(x)}</style>')):
...     print(p)
not allowed on a page: attribute 'onclick' on <h1>
not allowed on a page: element <svg>
not allowed on a page: href 'javascript:go()'... on <a>
not allowed on a page: a style sheet that loads or runs something (url(), @import)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Table:
    caption: str = ""
    cells: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # the same cells, row by row


@dataclass
class Page:
    path: Path
    headings: list[tuple[int, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    resources: list[tuple[str, str]] = field(default_factory=list)   # (tag, url) fetched by the page
    takeaways: int = 0
    figures: int = 0
    lang: str = ""
    visible: list[str] = field(default_factory=list)  # text a reader meets, and alt/title/link attributes
    unsafe: list[str] = field(default_factory=list)  # elements, attributes or styles off the allow-list

    @property
    def text(self) -> str:
        """Everything a reader or screen reader meets on the page (not markup or style sheets)."""
        return "\n".join(self.visible)


# The only elements and attributes a page may hold (an allow-list, not a list of dangerous tags):
# anything else, such as an ``on*`` handler or an <svg> from an export, fails the page.
ALLOWED_TAGS = frozenset({
    "html", "head", "meta", "title", "style", "body", "header", "nav", "main", "footer", "a", "p", "br",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead",
    "tbody", "tfoot", "tr", "th", "td", "colgroup", "col", "figure", "figcaption", "img", "div", "span",
    "strong", "em", "b", "i", "code", "pre", "blockquote", "hr", "sup", "sub", "small", "abbr"})
ALLOWED_ATTRIBUTES = frozenset({"alt", "aria-label", "charset", "class", "content", "href", "id", "lang",
                                "name", "scope", "src", "type", "colspan", "rowspan", "title", "role"})
_UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data:(?!image/(png|jpeg|gif);base64,))", re.IGNORECASE)
_UNSAFE_STYLE = re.compile(r"url\(|@import|expression\(|javascript:", re.IGNORECASE)

# Attributes a reader or screen reader meets: they count as what the page shows.
READ_ATTRIBUTES = ("alt", "title", "href", "aria-label", "placeholder", "value")


class _Parser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.text: list[str] | None = None
        self.table: Table | None = None
        self.hidden = 0  # inside <style> or <script>
        self.style: list[str] | None = None  # the text of the <style> being read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ALLOWED_TAGS:
            self.page.unsafe.append(f"element <{tag}>")
        for k, v in attrs:
            if k not in ALLOWED_ATTRIBUTES:
                self.page.unsafe.append(f"attribute {k!r} on <{tag}>")
            elif k in ("href", "src") and v and _UNSAFE_URL.match(v):
                self.page.unsafe.append(f"{k} {v[:20]!r}... on <{tag}>")
        if tag in ("style", "script"):
            self.hidden += 1
            self.style = [] if tag == "style" else None
        self.page.visible.extend(v for k, v in attrs if k in READ_ATTRIBUTES and v)
        if tag == "html":
            self.page.lang = a.get("lang", "")
        if re.fullmatch(r"h[1-6]", tag) or tag in ("td", "th", "caption"):
            self.text = []
        if tag == "table":
            self.table = Table()
            self.page.tables.append(self.table)
        if tag == "tr" and self.table is not None:
            self.table.rows.append([])
        if tag == "img":
            self.page.images.append(a)
            if not str(a.get("src", "")).startswith("data:"):
                self.page.resources.append((tag, a.get("src", "")))
        if tag in ("script", "iframe", "video", "audio", "source", "embed", "object"):
            self.page.resources.append((tag, a.get("src", a.get("data", "inline"))))
        if tag == "link":
            self.page.resources.append((tag, a.get("href", "")))
        if tag == "a" and a.get("href"):
            self.page.links.append(a["href"])
        if tag == "figure":
            self.page.figures += 1
        if tag == "figcaption" and "takeaway" in a.get("class", ""):
            self.page.takeaways += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self.hidden:
            self.hidden -= 1
        if tag == "style" and self.style is not None:
            if _UNSAFE_STYLE.search("".join(self.style)):
                self.page.unsafe.append("a style sheet that loads or runs something (url(), @import)")
            self.style = None
        text = " ".join("".join(self.text).split()) if self.text is not None else ""
        if re.fullmatch(r"h[1-6]", tag):
            self.page.headings.append((int(tag[1]), text))
            self.text = None
        elif tag in ("td", "th") and self.table is not None:
            self.table.cells.append(text)
            if self.table.rows:
                self.table.rows[-1].append(text)
            self.text = None
        elif tag == "caption" and self.table is not None:
            self.table.caption = text
            self.text = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.style is not None:
            self.style.append(data)
        if self.text is not None:
            self.text.append(data)
        if not self.hidden:
            self.page.visible.append(data)


def read_markup(markup: str, path: Path | None = None) -> Page:
    """Parse HTML text into a :class:`Page`."""
    page = Page(path or Path("page.html"))
    parser = _Parser(page)
    parser.feed(markup)
    parser.close()
    return page


def read_page(path: Path) -> Page:
    """Parse an HTML file into a :class:`Page`."""
    return read_markup(Path(path).read_text(encoding="utf-8"), Path(path))


def problems(page: Page) -> list[str]:
    """Everything that makes a page unfit to hand over: no language, headings out of order, a table
    without a caption or with a count from 1 to 7, an image without alt text, a chart without a
    takeaway, or anything fetched from outside the page."""
    found = []
    if not page.lang:
        found.append("no lang attribute on <html>")
    levels = page.headings
    if not levels or levels[0][0] != 1:
        found.append("the first heading is not h1")
    if sum(1 for lvl, _ in levels if lvl == 1) > 1:
        found.append("more than one h1")
    for (a, _), (b, text) in zip(levels, levels[1:], strict=False):
        if b > a + 1:
            found.append(f"heading h{b} {text[:40]!r} follows h{a}")
    for i, table in enumerate(page.tables, start=1):
        name = table.caption[:50] or f"table {i}"
        if not table.caption.strip():
            found.append(f"table {i} has no caption")
        small = [c for c in table.cells if re.fullmatch(r"[1-7]", c)]
        if small:
            found.append(f"table {name!r} shows a count from 1 to 7: {small[0]!r}")
    for i, img in enumerate(page.images, start=1):
        if not str(img.get("alt", "")).strip():
            found.append(f"image {i} has no alt text")
    if page.takeaways < page.figures:
        found.append(f"{page.figures - page.takeaways} chart(s) without a takeaway")
    found += [f"fetches {tag} {url}" for tag, url in page.resources]
    found += [f"not allowed on a page: {what}" for what in dict.fromkeys(page.unsafe)]
    return found
