"""Chunkers for prose formats: Markdown and reStructuredText by heading, HTML by structure, text by paragraph."""

from __future__ import annotations

import html
import html.parser
import os
import re

from retrieval.chunk import Chunk, extract_symbols, is_api_symbol

#: Sections longer than this are split at paragraph boundaries into several chunks.
MAX_CHARS = 1800
#: Paragraphs of plain text are merged until a chunk reaches about this size.
TEXT_TARGET = 700


def _split_long(body_lines: list[tuple[int, str]], limit: int = MAX_CHARS) -> list[list[tuple[int, str]]]:
    """Split numbered lines into pieces of at most ``limit`` characters, preferring blank lines."""
    pieces: list[list[tuple[int, str]]] = []
    cur: list[tuple[int, str]] = []
    size = 0
    last_blank = -1
    for ln, text in body_lines:
        cur.append((ln, text))
        size += len(text) + 1
        if not text.strip():
            last_blank = len(cur) - 1
        if size > limit:
            cut = last_blank if last_blank > 0 else len(cur)
            pieces.append(cur[:cut])
            cur = cur[cut:]
            size = sum(len(t) + 1 for _, t in cur)
            last_blank = -1
    if cur:
        pieces.append(cur)
    return [p for p in pieces if any(t.strip() for _, t in p)]


def _defines_from_heading(heading: str) -> list[str]:
    """API symbols a heading names (``## MPI_Isend`` documents MPI_Isend)."""
    return [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", heading) if is_api_symbol(w)]


def _sections_to_chunks(
    sections: list[tuple[list[str], int, list[tuple[int, str]]]],
    path: str,
    language: str,
    doc_title: str,
) -> list[Chunk]:
    """Turn (heading path, heading line, body lines) sections into chunks."""
    chunks: list[Chunk] = []
    for heads, hline, body in sections:
        title = heads[-1] if heads else doc_title
        section = " > ".join(heads[:-1] + [heads[-1]]) if heads else ""
        pieces = _split_long(body)
        for i, piece in enumerate(pieces):
            text = "\n".join(t for _, t in piece).strip()
            if not text and not heads:
                continue
            if not text:
                text = title
            start = hline if i == 0 else piece[0][0]
            end = piece[-1][0] if piece else hline
            defines = _defines_from_heading(title)
            chunks.append(
                Chunk(
                    text=text,
                    title=title if i == 0 else f"{title} (cont.)",
                    source=path,
                    kind="doc",
                    language=language,
                    start_line=start,
                    end_line=max(start, end),
                    section=section,
                    defines=defines,
                    symbols=extract_symbols(title + "\n" + text),
                    meta={"document": doc_title},
                )
            )
    return chunks


def chunk_markdown(text: str, path: str) -> list[Chunk]:
    """Markdown by ATX and setext headings, found by markdown-it-py's parser (token line maps).

    The parser knows CommonMark's block structure, so a ``#`` line inside a fenced or indented
    code block, or a four-backtick fence holding a three-backtick line, is never a heading.
    Falls back to the regex scanner when markdown-it-py is not installed.
    """
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - markdown-it-py is a declared dependency
        return _chunk_markdown_regex(text, path)
    lines = text.splitlines()
    tokens = MarkdownIt("commonmark").parse(text)
    sections: list[tuple[list[str], int, list[tuple[int, str]]]] = []
    heads: list[tuple[int, str]] = []  # (level, text)
    doc_title = os.path.basename(path)
    cur_line, body_from = 0, 0
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open" or tok.level != 0 or not tok.map:
            continue
        h_start, h_end = tok.map
        sections.append(([h for _, h in heads], cur_line, _numbered(lines, body_from, h_start)))
        level = int(tok.tag[1:])
        inline = tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1].type == "inline" else None
        title = _strip_inline_md(inline.content if inline is not None else "")
        while heads and heads[-1][0] >= level:
            heads.pop()
        heads.append((level, title))
        if level == 1 and doc_title == os.path.basename(path):
            doc_title = title
        cur_line, body_from = h_start, h_end
    sections.append(([h for _, h in heads], cur_line, _numbered(lines, body_from, len(lines))))
    return _sections_to_chunks(sections, path, "markdown", doc_title)


def _numbered(lines: list[str], start: int, end: int) -> list[tuple[int, str]]:
    """Lines ``start``..``end`` (exclusive) with their 0-based numbers."""
    return [(n, lines[n]) for n in range(start, min(end, len(lines)))]


def _chunk_markdown_regex(text: str, path: str) -> list[Chunk]:
    """Markdown by ``#`` and setext headings with a line scanner (used without markdown-it-py)."""
    lines = text.splitlines()
    sections: list[tuple[list[str], int, list[tuple[int, str]]]] = []
    heads: list[tuple[int, str]] = []  # (level, text)
    cur_body: list[tuple[int, str]] = []
    cur_line = 0
    fence: str | None = None
    doc_title = os.path.basename(path)

    def flush(line: int) -> None:
        nonlocal cur_body, cur_line
        sections.append(([h for _, h in heads], cur_line, cur_body))
        cur_body = []
        cur_line = line

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        m_fence = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if m_fence:
            run = m_fence.group(1)
            if fence is None:
                fence = run
            elif run[0] == fence[0] and len(run) >= len(fence) and not stripped[len(run) :].strip():
                fence = None  # a closing fence: same character, at least as long, nothing after
            cur_body.append((i, line))
            i += 1
            continue
        level = 0
        title = ""
        m = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line) if fence is None else None
        if m:
            level, title = len(m.group(1)), m.group(2)
        elif (
            fence is None
            and stripped
            and i + 1 < len(lines)
            and re.match(r"^\s{0,3}(=+|-+)\s*$", lines[i + 1])
            and not re.match(r"^\s*([-*+]|\d+\.)\s", line)
        ):
            level, title = (1 if lines[i + 1].strip()[0] == "=" else 2), stripped
        if level:
            flush(i)
            while heads and heads[-1][0] >= level:
                heads.pop()
            heads.append((level, _strip_inline_md(title)))
            if level == 1 and doc_title == os.path.basename(path):
                doc_title = _strip_inline_md(title)
            consumed = 2 if not m else 1
            i += consumed
            continue
        cur_body.append((i, line))
        i += 1
    sections.append(([h for _, h in heads], cur_line, cur_body))
    return _sections_to_chunks(sections, path, "markdown", doc_title)


def _strip_inline_md(s: str) -> str:
    s = s.replace("`", "")
    return re.sub(r"(\*{1,2})(\S[^*]*?)\1", r"\2", s).strip()


_RST_ADORN = re.compile(r"^([=\-~^\"'`#*+:.!$%&,;<>?@_|/\\])\1{2,}\s*$")


def chunk_rst(text: str, path: str) -> list[Chunk]:
    """reStructuredText by section titles (underlined, optionally overlined); levels by first use."""
    lines = text.splitlines()
    styles: list[tuple[str, bool]] = []
    sections: list[tuple[list[str], int, list[tuple[int, str]]]] = []
    heads: list[str] = []
    cur_body: list[tuple[int, str]] = []
    cur_line = 0
    doc_title = os.path.basename(path)
    i = 0
    while i < len(lines):
        line = lines[i]
        over = False
        title = None
        if (
            _RST_ADORN.match(line)
            and i + 2 < len(lines)
            and lines[i + 1].strip()
            and lines[i + 2].strip() == line.strip()
        ):
            over, title, char, consumed = True, lines[i + 1].strip(), line.strip()[0], 3
        elif (
            line.strip()
            and not _RST_ADORN.match(line)
            and i + 1 < len(lines)
            and _RST_ADORN.match(lines[i + 1])
            and len(lines[i + 1].rstrip()) >= len(line.rstrip())
            and not line.startswith((" ", "\t"))
        ):
            title, char, consumed = line.strip(), lines[i + 1].strip()[0], 2
        if title is not None:
            style = (char, over)
            if style not in styles:
                styles.append(style)
            level = styles.index(style)
            sections.append((list(heads), cur_line, cur_body))
            cur_body, cur_line = [], i
            heads = heads[:level] + [title]
            if level == 0 and doc_title == os.path.basename(path):
                doc_title = title
            i += consumed
            continue
        cur_body.append((i, line))
        i += 1
    sections.append((list(heads), cur_line, cur_body))
    return _sections_to_chunks(sections, path, "rst", doc_title)


def chunk_text(text: str, path: str) -> list[Chunk]:
    """Plain text by paragraph: blank-line separated paragraphs merged up to ``TEXT_TARGET`` chars."""
    lines = text.splitlines()
    paras: list[list[tuple[int, str]]] = []
    cur: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if line.strip():
            cur.append((i, line))
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    name = os.path.basename(path)
    chunks: list[Chunk] = []
    group: list[tuple[int, str]] = []

    def emit() -> None:
        if not group:
            return
        body = "\n".join(t for _, t in group).strip()
        first = body.splitlines()[0].strip()
        title = f"{name}: {first[:70]}" if first else name
        chunks.append(
            Chunk(
                text=body,
                title=title,
                source=path,
                kind="doc",
                language="text",
                start_line=group[0][0],
                end_line=group[-1][0],
                symbols=extract_symbols(body),
            )
        )

    for para in paras:
        size = sum(len(t) + 1 for _, t in group)
        if group and size + sum(len(t) + 1 for _, t in para) > TEXT_TARGET:
            emit()
            group = []
        group.extend(para)
        if sum(len(t) + 1 for _, t in group) > MAX_CHARS:
            for piece in _split_long(group):
                group = piece
                emit()
            group = []
    emit()
    return chunks


_BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd pre table tr td th br hr section article blockquote figure figcaption "
    "header footer main aside h1 h2 h3 h4 h5 h6 title body".split()
)
_SKIP_TAGS = frozenset({"script", "style", "nav", "noscript", "template", "svg", "head"})


class _HtmlSections(html.parser.HTMLParser):
    """Collects (heading level, heading text, body text) sections from HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections: list[tuple[int, str, list[str]]] = [(0, "", [])]
        self._skip = 0
        self._in_title = False
        self._heading: int | None = None
        self._heading_line = 0
        self._heading_text: list[str] = []
        self.lines: list[int] = [0]
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS and tag != "head":
            self._skip += 1
            return
        if tag == "title":
            self._in_title = True
        if tag == "pre":
            self._pre += 1
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])
            self._heading_line = self.getpos()[0] - 1
            self._heading_text = []
        elif tag in _BLOCK_TAGS:
            self.sections[-1][2].append("\n")
        if tag == "li":
            self.sections[-1][2].append("- ")
        if tag in ("td", "th"):
            self.sections[-1][2].append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and tag != "head":
            self._skip = max(0, self._skip - 1)
            return
        if tag == "title":
            self._in_title = False
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if self._heading is not None and re.fullmatch(r"h[1-6]", tag):
            text = " ".join("".join(self._heading_text).split())
            self.sections.append((self._heading, text, []))
            self.lines.append(self._heading_line)
            self._heading = None
        elif tag in _BLOCK_TAGS:
            self.sections[-1][2].append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title += data
            return
        if self._heading is not None:
            self._heading_text.append(data)
            return
        self.sections[-1][2].append(data if self._pre else re.sub(r"\s+", " ", data))


def chunk_html(text: str, path: str) -> list[Chunk]:
    """HTML to text by structure: one section per heading (h1-h6), scripts/styles/nav dropped."""
    parser = _HtmlSections()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # html.parser is lenient; be safe with pathological input anyway
        pass
    doc_title = " ".join(html.unescape(parser.title).split()) or os.path.basename(path)
    chunks: list[Chunk] = []
    heads: list[tuple[int, str]] = []
    starts = parser.lines + [text.count("\n")]
    for n_sec, (level, heading, parts) in enumerate(parser.sections):
        if level:
            while heads and heads[-1][0] >= level:
                heads.pop()
            heads.append((level, heading))
        body = re.sub(r"[ \t]*\n[ \t]*(\n[ \t]*)+", "\n\n", "".join(parts)).strip()
        body_lines = [(n, line) for n, line in enumerate(body.splitlines())]
        title = heads[-1][1] if heads else doc_title
        section = " > ".join(h for _, h in heads)
        for i, piece in enumerate(_split_long(body_lines)):
            ptext = "\n".join(t for _, t in piece).strip() or title
            chunks.append(
                Chunk(
                    text=ptext,
                    title=title if i == 0 else f"{title} (cont.)",
                    source=path,
                    kind="doc",
                    language="html",
                    start_line=starts[n_sec],
                    end_line=max(
                        starts[n_sec], starts[n_sec + 1] if n_sec + 1 < len(starts) else starts[n_sec]
                    ),
                    section=section,
                    defines=_defines_from_heading(title),
                    symbols=extract_symbols(title + "\n" + ptext),
                    meta={"document": doc_title},
                )
            )
    return chunks
