"""Chunker for man pages in roff (plain or gzipped): one chunk per ``.SH`` section.

Only the requests that carry text matter for retrieval; formatting requests are dropped and
inline escapes (``\\fB``, ``\\-``, ``\\(em`` ...) are turned into plain characters. A page that
is only a ``.so`` redirect yields no chunk (the target page documents it).
"""

from __future__ import annotations

import os
import re

from retrieval.chunk import Chunk, extract_symbols

#: Consecutive sections are merged while their text stays under this many characters.
MERGE_CHARS = 700

_SPECIAL = {
    "em": "—",
    "en": "–",
    "bu": "•",
    "lq": '"',
    "rq": '"',
    "oq": "'",
    "cq": "'",
    "aq": "'",
    "dq": '"',
    "co": "©",
    "rg": "®",
    "tm": "™",
    "mu": "×",
    "<=": "<=",
    ">=": ">=",
    "!=": "!=",
    "->": "->",
    "<-": "<-",
    "hy": "-",
    "mi": "-",
    "pl": "+",
    "ti": "~",
    "ha": "^",
    "rs": "\\",
    "ga": "`",
    "dg": "†",
}

_ESC_RE = re.compile(
    r"\\(?:f(?:\[[^\]]*\]|\(..|.)|\((..)|\[([^\]]*)\]|\*(?:\((..)|\[([^\]]*)\]|(.))|s[+-]?\d+|"
    r"[kz].|[hvwl]'[^']*'|n(?:\(..|\[[^\]]*\]|.)|(.))",
    re.S,
)


def _unescape(s: str) -> str:
    """Replace roff inline escapes by plain text."""

    def rep(m: re.Match[str]) -> str:
        two, bracket, str2, strb, str1, single = m.groups()
        name = two or bracket or str2 or strb
        if name is not None:
            return _SPECIAL.get(name, "")
        if str1 is not None:
            return ""
        if single is None:
            return ""
        if single in "-e":
            return "-" if single == "-" else "\\"
        if single in "&|^c%:)/,":
            return ""
        if single in " ~0":
            return " "
        if single == "\\":
            return "\\"
        if single == "'":
            return "'"
        if single == "`":
            return "`"
        return single

    return _ESC_RE.sub(rep, s)


def _args(rest: str) -> list[str]:
    """Split roff macro arguments (double quotes group words)."""
    return [
        a[1:-1] if a.startswith('"') and a.endswith('"') and len(a) > 1 else a
        for a in re.findall(r'"[^"]*"|\S+', rest)
    ]


def read_man_text(data: bytes) -> str:
    """Decode man page bytes (UTF-8, falling back to Latin-1)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def looks_like_roff(text: str) -> bool:
    """True when text starts like a roff document (``.TH``, ``.\\"`` or ``'\\"``)."""
    head = text.lstrip()[:2000]
    return bool(re.search(r"(?m)^\.(TH|SH|Dd|so)\b", head) or head.startswith(('.\\"', "'\\\"")))


#: Requests that start a paragraph or an indented item (a blank line in the text).
_BREAKS = frozenset(("PP", "LP", "P", "sp", "Pp", "TP", "br", "IP", "HP", "RS", "RE", "in", "ti"))
#: Break requests that only move the margin or break the line: no blank line.
_MARGIN_ONLY = frozenset(("RS", "RE", "in", "ti", "br"))
#: Font and mdoc macros whose arguments are text.
_TEXT_MACROS = frozenset(
    ("B", "I", "BR", "BI", "IB", "IR", "RB", "RI", "SM", "SB", "Nm", "Fn", "Fa", "Ar", "Fl")
)
#: Alternating-font macros: their arguments are one word set in two fonts, joined without spaces.
_ALTERNATING = frozenset(("BR", "BI", "IB", "IR", "RB", "RI"))
_REQUEST_RE = re.compile(r"^[.'][ \t]*([A-Za-z0-9_]+)[ \t]*(.*)$")

#: A parsed ``.SH`` section: heading, line of the heading, body lines as (line, text).
_Section = tuple[str, int, list[tuple[int, str]]]
#: Consecutive sections forming one chunk: headings, start line, end line, text.
_Group = tuple[list[str], int, int, str]


class _RoffReader:
    """Splits roff text into ``.SH`` sections of plain text lines; reads the ``.TH`` title."""

    def __init__(self, page_name: str) -> None:
        self.page_name = page_name
        self.mansec = ""
        self.sections: list[_Section] = []
        self.head, self.line = "", 0
        self.body: list[tuple[int, str]] = []
        self.nofill = False

    def read(self, text: str) -> bool:
        """Read the whole page; False when it is a ``.so`` redirect (the target holds the text)."""
        for ln, raw in enumerate(text.splitlines()):
            line = raw.rstrip("\n")
            if line.startswith(('.\\"', "'\\\"", ".\\#")) or line.strip() in (".", "'"):
                continue
            if line.startswith((".", "'")) and len(line) > 1:
                if not self._request(ln, line):
                    return False
                continue
            self.body.append((ln, _unescape(line) if self.nofill else _unescape(line).strip()))
        self.sections.append((self.head, self.line, self.body))
        return True

    def _request(self, ln: int, line: str) -> bool:
        """Apply one request line; False for a ``.so`` before any text (a redirect page)."""
        m = _REQUEST_RE.match(line)
        if not m:
            return True
        req, rest = m.group(1), m.group(2)
        if req == "so":
            return bool(self.body or self.sections)
        if req == "TH":
            a = _args(_unescape(rest))
            if a:
                self.page_name = a[0]
                self.mansec = a[1] if len(a) > 1 else ""
        elif req in ("SH", "Sh"):
            self.sections.append((self.head, self.line, self.body))
            self.head, self.line, self.body = " ".join(_args(_unescape(rest))).strip(), ln, []
        elif req in ("SS", "Ss"):
            self.body.append((ln, ""))
            self.body.append((ln, " ".join(_args(_unescape(rest))).strip() + ":"))
        elif req in ("nf", "EX"):
            self.nofill = True
        elif req in ("fi", "EE"):
            self.nofill = False
        elif req in _BREAKS:
            self._break(ln, req, rest)
        elif req in _TEXT_MACROS:
            a = _args(_unescape(rest))
            self.body.append((ln, ("" if req in _ALTERNATING else " ").join(a)))
        return True  # any other request: formatting only

    def _break(self, ln: int, req: str, rest: str) -> None:
        """A paragraph or item break: a blank line, then an ``.IP`` item's tag."""
        if req == "IP" and rest.strip():
            a = _args(_unescape(rest))
            self.body.append((ln, ""))
            self.body.append((ln, a[0] if a else ""))
        elif req not in _MARGIN_ONLY:
            self.body.append((ln, ""))


def chunk_man(text: str, path: str) -> list[Chunk]:
    """Man page (roff source text) by ``.SH`` section; empty sections fold into the next."""
    page = re.sub(r"\.gz$", "", os.path.basename(path))
    reader = _RoffReader(re.sub(r"(\.[a-z]+)?\.\d\w*$", "", page))
    if not reader.read(text):
        return []
    page_name, mansec, sections = reader.page_name, reader.mansec, reader.sections
    names = _page_names(sections, page_name)
    title = f"{page_name}({mansec})" if mansec else page_name
    groups, overview_embed = _group_sections(sections)
    chunks: list[Chunk] = []
    for heads, start, end, text in groups:
        if not text:
            continue
        section = _group_section(heads)
        section_title = f"{title} — {section}" if section and section != "NAME" else title
        for piece_i, piece in enumerate(_pieces(text)):
            chunks.append(
                Chunk(
                    text=piece,
                    title=section_title if piece_i == 0 else f"{section_title} (cont.)",
                    source=path,
                    kind="doc",
                    language="man",
                    start_line=start,
                    end_line=end,
                    section=section,
                    defines=list(names),
                    symbols=extract_symbols(piece),
                    meta={"page": page_name, "mansection": mansec},
                    embed=_embed_text(heads, piece_i, page_name, overview_embed, section, piece),
                )
            )
    return chunks


def _page_names(sections: list[_Section], page_name: str) -> list[str]:
    """The routines a page documents: the names before the dash of its NAME section."""
    for head, _, body in sections:
        if head.upper() == "NAME":
            name_text = " ".join(t for _, t in body)
            left = re.split(r"\s+[-–—]\s+|\s*\\-\s*", name_text, maxsplit=1)[0]
            names = [
                n.strip() for n in re.split(r"[,\s]+", left) if re.fullmatch(r"[A-Za-z_][\w:.+-]*", n.strip())
            ]
            if names:
                return names
            break
    return [page_name] if page_name else []


def _group_section(heads: list[str]) -> str:
    """The section name of a chunk: SYNOPSIS, PARAMETERS or its headings joined."""
    role = section_role(heads[0])
    if role == "synopsis":
        return "SYNOPSIS"
    if role == "parameters":
        return "PARAMETERS"
    return " / ".join(h for h in heads if h)


def _overview(name_sec: _Section, desc_sec: _Section | None) -> tuple[_Group, str]:
    """The page's opening chunk (NAME line and first DESCRIPTION paragraph) and its summary."""
    overview = _collapse(name_sec[2])
    end = name_sec[2][-1][0] if name_sec[2] else name_sec[1]
    # Embed what the page says, not the list of names (exact lookup finds those).
    parts = re.split(r"\s+[-–—]\s+", " ".join(overview.split()), maxsplit=1)
    if desc_sec is not None:
        first_para = _collapse(desc_sec[2]).split("\n\n", 1)[0]
        overview = f"{overview}\n\n{first_para}".strip()
    return (["NAME"], name_sec[1], end, overview), parts[-1]


def _group_sections(sections: list[_Section]) -> tuple[list[_Group], str]:
    """Sections grouped into chunks, and the page's one-line summary (empty without NAME).

    The overview chunk comes first: the NAME line and the first paragraph of DESCRIPTION, the
    text that says what the page is about. SYNOPSIS (the page's syntax sections) and PARAMETERS
    (input, output, input/output) become one chunk each wherever their parts are, DESCRIPTION
    stands alone; the rest (notes, errors, see also) is merged in runs so no chunk is a tiny
    fragment. Long chunks are split later.
    """
    groups: list[_Group] = []
    name_sec = next((s for s in sections if s[0].upper() == "NAME"), None)
    desc_sec = next((s for s in sections if s[0].upper() == "DESCRIPTION"), None)
    overview_embed = ""
    if name_sec is not None:
        opening, overview_embed = _overview(name_sec, desc_sec)
        groups.append(opening)
    role_group: dict[str, int] = {}
    for sec in sections:
        if sec is not name_sec:
            _add_section(groups, role_group, sec, name_sec is not None)
    return groups, overview_embed


def _add_section(groups: list[_Group], role_group: dict[str, int], sec: _Section, has_name: bool) -> None:
    """Put one section into the group of its role, onto the last run, or into a new group."""
    head, hline, body = sec
    body_text = _collapse(body)
    if not head and not body_text:
        return
    end = body[-1][0] if body else hline
    block = f"{head}:\n{body_text}" if head and body_text else body_text
    role = section_role(head)
    if role in role_group:
        heads, start, old_end, text = groups[role_group[role]]
        merged = f"{text}\n\n{block}".strip() if body_text else text
        groups[role_group[role]] = (heads + [head], start, max(old_end, end), merged)
        return
    if role in ("synopsis", "parameters"):
        role_group[role] = len(groups)
        groups.append(([head], hline, end, block))
        return
    last_role = section_role(groups[-1][0][0]) if groups else ""
    mergeable = (
        len(groups) > (1 if has_name else 0) and role == "other" and last_role in ("other", "description")
    )
    if mergeable and (not groups[-1][3] or len(groups[-1][3]) + len(block) < MERGE_CHARS):
        heads, start, _, text = groups[-1]
        groups[-1] = (heads + [head], start, end, f"{text}\n\n{block}".strip())
    else:
        groups.append(([head], hline, end, block))


def _embed_text(heads: list[str], piece_i: int, page: str, summary: str, section: str, piece: str) -> str:
    """What to embed for a man chunk: the page's one-line summary, alone for the opening chunk,
    before the section text for every other chunk (so each names its routine and purpose)."""
    if not summary:
        return ""
    if heads == ["NAME"] and piece_i == 0:
        return summary
    return f"{page}: {summary}\n{section}: {piece}"


def section_role(head: str) -> str:
    """What a man page section is for: name, synopsis, parameters, description or other."""
    h = " ".join(head.upper().split())
    if h == "NAME":
        return "name"
    if (
        h in ("SYNOPSIS", "SYNTAX")
        or h.endswith(("SYNTAX", "SYNOPSIS"))
        or h.startswith(("SYNTAX ", "FORTRAN SYNTAX"))
    ):
        return "synopsis"
    if "PARAMETER" in h or h in ("ARGUMENTS", "OPTIONS"):
        return "parameters"
    if h == "DESCRIPTION":
        return "description"
    return "other"


def _collapse(body: list[tuple[int, str]]) -> str:
    """Join body lines, collapsing runs of blank lines."""
    out: list[str] = []
    for _, t in body:
        if not t.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(t)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out).strip()


def _pieces(text: str, limit: int = 1800) -> list[str]:
    """Split a long section at blank lines into pieces of about ``limit`` characters."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    cur = ""
    for para in text.split("\n\n"):
        if cur and len(cur) + len(para) + 2 > limit:
            pieces.append(cur)
            cur = ""
        cur = f"{cur}\n\n{para}" if cur else para
        while len(cur) > limit * 2:
            pieces.append(cur[:limit])
            cur = cur[limit:]
    if cur:
        pieces.append(cur)
    return pieces
