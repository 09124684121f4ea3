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


def chunk_man(text: str, path: str) -> list[Chunk]:
    """Man page (roff source text) by ``.SH`` section; empty sections fold into the next."""
    page = os.path.basename(path)
    page = re.sub(r"\.gz$", "", page)
    page_name = re.sub(r"(\.[a-z]+)?\.\d\w*$", "", page)
    mansec = ""
    sections: list[tuple[str, int, list[tuple[int, str]]]] = []
    cur_head, cur_line, cur_body = "", 0, []  # type: tuple[str, int, list[tuple[int, str]]]
    nofill = False
    lines = text.splitlines()
    for ln, raw in enumerate(lines):
        line = raw.rstrip("\n")
        if line.startswith(('.\\"', "'\\\"", ".\\#")) or line.strip() in (".", "'"):
            continue
        if line.startswith((".", "'")) and len(line) > 1:
            m = re.match(r"^[.'][ \t]*([A-Za-z0-9_]+)[ \t]*(.*)$", line)
            if not m:
                continue
            req, rest = m.group(1), m.group(2)
            if req == "so":
                if not cur_body and not sections:
                    return []  # a redirect page: the target page holds the text
                continue
            if req == "TH":
                a = _args(_unescape(rest))
                if a:
                    page_name = a[0]
                    mansec = a[1] if len(a) > 1 else ""
                continue
            if req in ("SH", "Sh"):
                sections.append((cur_head, cur_line, cur_body))
                cur_head, cur_line, cur_body = " ".join(_args(_unescape(rest))).strip(), ln, []
                continue
            if req in ("SS", "Ss"):
                cur_body.append((ln, ""))
                cur_body.append((ln, " ".join(_args(_unescape(rest))).strip() + ":"))
                continue
            if req in ("nf", "EX"):
                nofill = True
                continue
            if req in ("fi", "EE"):
                nofill = False
                continue
            if req in ("PP", "LP", "P", "sp", "Pp", "TP", "br", "IP", "HP", "RS", "RE", "in", "ti"):
                if req == "IP" and rest.strip():
                    a = _args(_unescape(rest))
                    cur_body.append((ln, ""))
                    cur_body.append((ln, a[0] if a else ""))
                elif req not in ("RS", "RE", "in", "ti", "br"):
                    cur_body.append((ln, ""))
                continue
            if req in (
                "B",
                "I",
                "BR",
                "BI",
                "IB",
                "IR",
                "RB",
                "RI",
                "SM",
                "SB",
                "Nm",
                "Fn",
                "Fa",
                "Ar",
                "Fl",
            ):
                a = _args(_unescape(rest))
                joiner = "" if req in ("BR", "BI", "IB", "IR", "RB", "RI") else " "
                cur_body.append((ln, joiner.join(a)))
                continue
            continue  # any other request: formatting only
        cur_body.append((ln, _unescape(line) if nofill else _unescape(line).strip()))
    sections.append((cur_head, cur_line, cur_body))

    names: list[str] = []
    title = f"{page_name}({mansec})" if mansec else page_name
    for head, _, body in sections:
        if head.upper() == "NAME":
            name_text = " ".join(t for _, t in body)
            left = re.split(r"\s+[-–—]\s+|\s*\\-\s*", name_text, maxsplit=1)[0]
            names = [
                n.strip() for n in re.split(r"[,\s]+", left) if re.fullmatch(r"[A-Za-z_][\w:.+-]*", n.strip())
            ]
            break
    if not names and page_name:
        names = [page_name]

    # The overview chunk: the NAME line and the first paragraph of DESCRIPTION, the text that
    # says what the page is about. Then runs of short sections (syntax variants, parameter lists)
    # are merged so each chunk carries enough text; long sections stand alone (split if very long).
    groups: list[tuple[list[str], int, int, str]] = []  # heads, start line, end line, text
    name_sec = next((s for s in sections if s[0].upper() == "NAME"), None)
    desc_sec = next((s for s in sections if s[0].upper() == "DESCRIPTION"), None)
    overview_embed = ""
    if name_sec is not None:
        overview = _collapse(name_sec[2])
        end = name_sec[2][-1][0] if name_sec[2] else name_sec[1]
        # Embed what the page says, not the list of names (exact lookup finds those).
        parts = re.split(r"\s+[-–—]\s+", " ".join(overview.split()), maxsplit=1)
        overview_embed = parts[-1]
        if desc_sec is not None:
            first_para = _collapse(desc_sec[2]).split("\n\n", 1)[0]
            overview = f"{overview}\n\n{first_para}".strip()
        groups.append((["NAME"], name_sec[1], end, overview))
    # SYNOPSIS (the page's syntax sections) and PARAMETERS (input, output, input/output) become
    # one chunk each wherever their parts are, DESCRIPTION stands alone; the rest (notes, errors,
    # see also) is merged in runs so no chunk is a tiny fragment.
    role_group: dict[str, int] = {}
    for head, hline, body in sections:
        if name_sec is not None and head is name_sec[0] and hline == name_sec[1]:
            continue
        body_text = _collapse(body)
        if not head and not body_text:
            continue
        end = body[-1][0] if body else hline
        block = f"{head}:\n{body_text}" if head and body_text else body_text
        role = section_role(head)
        if role in role_group:
            heads, start, old_end, text = groups[role_group[role]]
            merged = f"{text}\n\n{block}".strip() if body_text else text
            groups[role_group[role]] = (heads + [head], start, max(old_end, end), merged)
            continue
        if role in ("synopsis", "parameters"):
            role_group[role] = len(groups)
            groups.append(([head], hline, end, block))
            continue
        last_role = section_role(groups[-1][0][0]) if groups else ""
        mergeable = (
            len(groups) > (1 if name_sec is not None else 0)
            and role == "other"
            and last_role in ("other", "description")
        )
        if mergeable and (not groups[-1][3] or len(groups[-1][3]) + len(block) < MERGE_CHARS):
            heads, start, _, text = groups[-1]
            groups[-1] = (heads + [head], start, end, f"{text}\n\n{block}".strip())
        else:
            groups.append(([head], hline, end, block))

    chunks: list[Chunk] = []
    for heads, start, end, text in groups:
        if not text:
            continue
        role = section_role(heads[0])
        if role == "synopsis":
            section = "SYNOPSIS"
        elif role == "parameters":
            section = "PARAMETERS"
        else:
            section = " / ".join(h for h in heads if h)
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
