"""Checks one page written by hsdump --html (hsdump.1, HTML REPORT):

  html_check.py PAGE CONNECTIONS|any [VALUES]

- well-formed: Python's html.parser reads it; every element but the void ones is closed, in
  order (SVG's empty elements as <x/>); one <style>, one <script>;
- only the elements and attributes the report writes (no injected markup: a value from the
  wire that escaped its escaping would show up here), no event handler attributes;
- no external reference of any kind: no src=, href=, xlink:href=, action=, no "url(", "://"
  or "@import" in the style, the script or an attribute value;
- CONNECTIONS rows in the table (and the overview says so; "any": as many as it says);
- every line of VALUES (values from the wire in hsdump's text form: SNIs, certificate CNs)
  appears in the page's text, and in its source only HTML-escaped when it holds one of
  & < > " ' (never as is).
Exits 1 with the reasons on stdout."""
import html.parser
import re
import sys

VOID = {"meta", "input"}
ELEMENTS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "span", "div",
            "input", "table", "thead", "tbody", "tr", "th", "td", "script",
            "svg", "text", "rect", "line", "polygon"}
ATTRIBUTES = {"lang", "charset", "id", "class", "hidden", "type", "placeholder", "data-c",
              "width", "height", "viewbox", "role", "x", "y", "x1", "y1", "x2", "y2",
              "points", "text-anchor"}
EXTERNAL = re.compile(r"url\(|://|@import|javascript:", re.I)


def escape(value):
    """As html_escape() in src/output/html.c."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.faults, self.text = [], [], []
        self.counts = {}
        self.rows = 0
        self.in_tbody = False
        self.raw = {"style": "", "script": ""}
        self.total = None

    def element(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag not in ELEMENTS:
            self.faults.append(f"unexpected element <{tag}>")
        for name, value in attrs:
            if name not in ATTRIBUTES:
                self.faults.append(f"unexpected attribute {name}= on <{tag}>")
            if value is not None and EXTERNAL.search(value):
                self.faults.append(f"external reference in {name}={value!r}")
        if tag == "tr" and self.in_tbody:
            self.rows += 1

    def handle_starttag(self, tag, attrs):
        self.element(tag, attrs)
        if tag == "tbody":
            self.in_tbody = True
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("id")))

    def handle_startendtag(self, tag, attrs):
        self.element(tag, attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.faults.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag == "tbody":
            self.in_tbody = False

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in self.raw:
            self.raw[self.stack[-1][0]] += data
        if self.stack and self.stack[-1][1] == "total":
            self.total = data
        self.text.append(data)


def main():
    path, conns = sys.argv[1], sys.argv[2]
    values = []
    if len(sys.argv) > 3:
        with open(sys.argv[3], encoding="ascii") as f:
            values = [v for v in f.read().split("\n") if v]
    with open(path, encoding="utf-8") as f:
        source = f.read()
    page = Page()
    page.feed(source)
    page.close()
    faults = page.faults
    if page.stack:
        faults.append(f"unclosed: {[t for t, _ in page.stack]}")
    if not source.startswith("<!DOCTYPE html>"):
        faults.append("no <!DOCTYPE html>")
    for tag in ("style", "script", "table", "tbody"):
        if page.counts.get(tag) != 1:
            faults.append(f"{page.counts.get(tag, 0)} <{tag}> elements, want 1")
    for tag, raw in page.raw.items():
        if EXTERNAL.search(raw):
            faults.append(f"external reference in <{tag}>")
    if conns == "any":
        conns = page.total
    if str(page.rows) != conns:
        faults.append(f"{page.rows} rows in the table, want {conns}")
    if page.total != conns:
        faults.append(f"the overview says {page.total} connections, want {conns}")
    text = "".join(page.text)
    for v in values:
        if v not in text:
            faults.append(f"value {v!r} not in the page's text")
        if any(c in v for c in "&<>\"'"):
            if v in source:
                faults.append(f"value {v!r} unescaped in the source")
            if escape(v) not in source:
                faults.append(f"value {v!r} not escaped as {escape(v)!r}")
    for fault in faults[:20]:
        print(fault)
    sys.exit(1 if faults else 0)


main()
