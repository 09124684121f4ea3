"""The five public suites (DataRaceBench read twice: races, and as an advisor reference): which files are cases, what their authors' labels say, which codes count.

Labels are read from the ORIGINAL files only (names, header comments, GPUVerify's first lines,
AutoParBench's JSON); the analysis sees the blanked copies made by ``neutral.stage``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable
from typing import Any

from bench.external import loopref
from bench.external.clauses import pragma_above, pragma_reductions
from hpclsp.analysis import languages

#: Which findings count as "the tool reports a defect" for a case.
Relevant = Callable[[dict[str, Any]], bool]


@dataclasses.dataclass
class Case:
    """One labelled file of a suite."""

    path: str
    #: the rows (language or category) this file is counted in, besides "all"
    groups: tuple[str, ...]
    #: True: a defect; False: correct; None: not scored (counted, findings shown)
    expected: bool | None
    relevant: Relevant
    kind: str = "check"
    select: tuple[str, ...] = ()
    #: labelled lines of the defect (1-based) for the right-line rate; empty: unknown
    lines: frozenset[int] = frozenset()
    #: DataRaceBench's race pairs (1-based lines)
    pairs: tuple[tuple[int, int], ...] = ()
    blank_pragmas: bool = False
    #: AutoParBench's reference loops
    reference: list[dict[str, Any]] | None = None
    #: loops under a directive that races (DataRaceBench ``-yes`` kernels): not a reference, only checked
    #: for a parallelizable verdict whose clauses would still race
    racy: list[dict[str, Any]] | None = None


@dataclasses.dataclass(frozen=True)
class Suite:
    """A suite's directory name, its key in SOURCES.txt, and how its cases are found."""

    name: str
    sources_key: str
    collect: Callable[[str], list[Case]]
    unit: str = "files"
    #: the directory under ``../shared/benchmarks`` when it is not the suite's name
    directory: str = ""

    @property
    def dirname(self) -> str:
        """The suite's directory name."""
        return self.directory or self.name


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def _code_prefix(*prefixes: str) -> Relevant:
    return lambda f: f["code"].startswith(prefixes)


# ---------------------------------------------------------------------------------------------
# DataRaceBench

_PAIR = re.compile(r"@(\d+):\d+:[RW]\w*\s+vs\.?\s+.*?@(\d+):\d+:[RW]")
_DRB_LABEL = re.compile(r"-(yes|no)$")


_ACCESS_SET = re.compile(r"\b(Write|Read)_set\s*=\s*\{([^}]*)\}")


def race_pairs(text: str) -> tuple[tuple[int, int], ...]:
    """Every ``var@L:C:R/W vs. var@L:C:R/W`` pair written in a DataRaceBench file, as line pairs; a header
    giving ``Write_set = {...}`` and ``Read_set = {...}`` instead means every write-write and write-read pair."""
    pairs = [(int(a), int(b)) for a, b in _PAIR.findall(text)]
    sets: dict[str, list[int]] = {"Write": [], "Read": []}
    for kind, body in _ACCESS_SET.findall(text):
        sets[kind] += [int(n) for n in re.findall(r"@(\d+):\d+", body)]
    writes = sets["Write"]
    pairs += [(w, o) for i, w in enumerate(writes) for o in writes[i:] + sets["Read"]]
    return tuple(dict.fromkeys(pairs))


def collect_drb(root: str) -> list[Case]:
    """C/C++ cases in micro-benchmarks/, Fortran in micro-benchmarks-fortran/; label from -yes/-no."""
    out = []
    for sub, group in (("micro-benchmarks", "C/C++"), ("micro-benchmarks-fortran", "Fortran")):
        d = os.path.join(root, sub)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            path = os.path.join(d, name)
            stem, ext = os.path.splitext(name)
            m = _DRB_LABEL.search(stem)
            if (
                not os.path.isfile(path)
                or ext in (".h", ".H")
                or not languages.language_for_path(name)
                or not m
            ):
                continue
            racy = m.group(1) == "yes"
            out.append(
                Case(
                    path,
                    (group,),
                    racy,
                    _code_prefix("omp-race"),
                    select=("omp-race",),
                    pairs=race_pairs(_read(path)) if racy else (),
                )
            )
    return out


# ---------------------------------------------------------------------------------------------
# MPI-CorrBench

MPI_CLASSES = ("ArgError", "ArgMismatch", "MisplacedCall", "MissingCall")
_MPI_DIRS = ("coll", "pt2pt", "rma", "usertypes", "conflo", "openmp", "correct")
_MPI_CALL = re.compile(r"\b(MPI_\w+)\s*\(")
_MARGIN = 2
_LINE_REF = re.compile(r"\blines?\s*(\d+(?:\s*(?:-|–|,|and)\s*\d+)*)", re.I)


def named_lines(text: str) -> frozenset[int]:
    """Lines a header comment names ("line 17", "lines 13 and 14", "line 17 - 25")."""
    out: set[int] = set()
    for m in _LINE_REF.finditer(text):
        for part in re.split(r"\s*(?:,|and)\s*", m.group(1)):
            lo, _, hi = part.partition("-") if "-" in part else part.partition("–")
            a = int(lo.strip())
            b = int(hi.strip()) if hi.strip() else a
            out.update(range(min(a, b), max(a, b) + 1))
    return frozenset(out)


def _first_comment(text: str) -> str:
    """The first block comment (or the first run of ``//`` lines) of a C file."""
    m = re.search(r"/\*.*?\*/|(?://[^\n]*\n)+", text, re.S)
    return m.group(0) if m else ""


def _call_lines(text: str, call: str) -> list[int]:
    """1-based lines that call the MPI routine a file name spells without underscores (``MPIWinCreate``)."""
    want = call.lower()
    return [
        n
        for n, line in enumerate(text.splitlines(), start=1)
        if any(t.replace("_", "").lower() == want for t in _MPI_CALL.findall(line))
    ]


def faulty_lines(text: str, name: str) -> frozenset[int]:
    """The faulty line(s) of an MPI-CorrBench file.

    The header names a line, but often a line or two off (includes were added above it later). So:
    the calls of the routine the file name names (``ArgError-MPIGather-...`` -> ``MPI_Gather``) nearest
    to the named line; when the routine is not called (``MissingCall``) or no line is named, the
    named lines with a margin of two.
    """
    named = named_lines(_first_comment(text))
    parts = os.path.splitext(name)[0].split("-")
    calls = _call_lines(text, parts[1]) if len(parts) > 1 and parts[1].startswith("MPI") else []
    if calls and named:
        best = min(abs(c - n) for c in calls for n in named)
        if best <= _MARGIN * 3:
            return frozenset(c for c in calls if min(abs(c - n) for n in named) == best)
    return frozenset(k for n in named for k in range(n - _MARGIN, n + _MARGIN + 1))


def collect_corrbench(root: str) -> list[Case]:
    """Faulty files by error class and directory; correct programs under any ``correct/``."""
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if not name.endswith(".c"):
                continue
            path = os.path.join(dirpath, name)
            parts = os.path.relpath(path, root).split(os.sep)
            top = next((i for i, p in enumerate(parts) if p in _MPI_DIRS), None)
            if top is None:
                continue
            parts = parts[top:]
            if "correct" in parts:
                sub = parts[1] if parts[0] == "correct" and len(parts) > 2 else parts[0]
                groups: tuple[str, ...] = (f"correct/{sub}",)
                expected, lines = False, frozenset[int]()
            else:
                cls = name.split("-", 1)[0]
                groups = (parts[0], cls if cls in MPI_CLASSES else "(hybrid, no class)")
                expected, lines = True, faulty_lines(_read(path), name)
            out.append(Case(path, groups, expected, _code_prefix("mpi-"), select=("mpi-",), lines=lines))
    return sorted(out, key=lambda c: c.path)


# ---------------------------------------------------------------------------------------------
# GPUVerify

_RACE_RE = re.compile(r"\brace\b|\b(?:write|read) by thread\b|\bracy\b", re.I)
_NOT_RACE_RE = re.compile(r"race-free|not[- ]racy", re.I)
_DIVERGENCE_RE = re.compile(r"barrier.*diverg|diverg.*barrier|non-uniform", re.I)
_KERNEL_LINE = re.compile(r"\.cu:(\d+)")


def expected_errors(text: str) -> tuple[str, list[str]]:
    """(first-line status ``pass``/``xfail``, the expected-error regex lines after the flags line)."""
    lines = text.splitlines()
    status = lines[0].strip().lstrip("/").strip().lower() if lines else ""
    regexes = []
    for line in lines[2:]:
        if not line.startswith("//"):
            break
        regexes.append(line[2:].strip())
    return ("xfail" if status.startswith("xfail") else "pass" if status.startswith("pass") else ""), regexes


def xfail_class(regexes: list[str]) -> str:
    """``race``, ``divergence`` or ``other``, from an xfail kernel's expected-error lines."""
    text = "\n".join(regexes)
    if _DIVERGENCE_RE.search(text):
        return "divergence"
    if _RACE_RE.search(text) and not _NOT_RACE_RE.search(text):
        return "race"
    return "other"


def collect_gpuverify(root: str) -> list[Case]:
    """Pass kernels are negatives; xfail kernels expecting a race or barrier divergence are positives."""
    out = []
    relevant: Relevant = lambda f: f["code"].startswith("cuda-race") or f["code"] == "cuda-barrier-divergence"  # noqa: E731
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if not name.endswith(".cu"):
                continue
            path = os.path.join(dirpath, name)
            status, regexes = expected_errors(_read(path))
            if status == "pass":
                groups: tuple[str, ...] = ("pass",)
                expected: bool | None = False
            elif status == "xfail":
                cls = xfail_class(regexes)
                groups, expected = (f"xfail-{cls}",), (None if cls == "other" else True)
            else:
                continue
            lines = frozenset(int(n) for r in regexes for n in _KERNEL_LINE.findall(r))
            out.append(
                Case(
                    path,
                    groups,
                    expected,
                    relevant,
                    select=("cuda-race", "cuda-barrier-divergence"),
                    lines=lines,
                )
            )
    return sorted(out, key=lambda c: c.path)


# ---------------------------------------------------------------------------------------------
# DRACC


def _dracc_omp(f: dict[str, Any]) -> bool:
    return f["code"].startswith("omp-") and f["severity"] in ("error", "warning")


def _dracc_cuda(f: dict[str, Any]) -> bool:
    # error-checking style is not among DRACC's defects (and its programs rarely check errors)
    return (
        f["code"].startswith("cuda-")
        and f["severity"] in ("error", "warning")
        and f["code"] != "cuda-unchecked-error"
    )


def collect_dracc(root: str) -> list[Case]:
    """OpenMP/src and CUDA/src; ``_yes`` and ``_other`` are defects, ``_no`` is correct."""
    out = []
    for sub, group, relevant, prefix in (
        ("OpenMP", "OpenMP", _dracc_omp, "omp-"),
        ("CUDA", "CUDA", _dracc_cuda, "cuda-"),
    ):
        d = os.path.join(root, sub, "src")
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            stem, _ext = os.path.splitext(name)
            label = stem.rsplit("_", 1)[-1]
            if label not in ("yes", "no", "other") or not languages.language_for_path(name):
                continue
            out.append(Case(os.path.join(d, name), (group,), label != "no", relevant, select=(prefix,)))
    return out


# ---------------------------------------------------------------------------------------------
# AutoParBench (NPB)


def reference_loops(json_path: str) -> list[dict[str, Any]]:
    """The expert reference: one dict per loop (line, column, parallel, clause tokens). The reductions
    also come from the expert pragma above the loop in the source beside the JSON: the JSON keeps only
    the last of several ``reduction`` clauses."""
    with open(json_path, encoding="utf-8") as fh:
        data = json.load(fh)
    source = json_path[: -len(".json")]
    lines = _read(source).splitlines() if os.path.isfile(source) else []
    out = []
    for entry in data.values():
        ind = entry.get("induction variable")
        line = int(entry["loop line"])
        parallel = entry.get("pragma type", "NULL") != "NULL"
        tokens = {f"private:{v}" for v in entry.get("private", []) if v != ind}
        tokens |= {f"firstprivate:{v}" for v in entry.get("firstprivate", []) if v != ind}
        tokens |= {f"lastprivate:{v}" for v in entry.get("lastprivate", []) if v != ind}
        tokens |= {f"reduction:{r.replace(' ', '')}" for r in entry.get("reduction", [])}
        pragma = pragma_above(lines, line) if parallel and line <= len(lines) else None
        if pragma is not None:
            tokens |= pragma_reductions(pragma)
        out.append(
            {
                "line": line,
                "column": int(entry["loop column"]),
                "parallel": parallel,
                "induction": ind,
                "clauses": tokens,
            }
        )
    return sorted(out, key=lambda e: (e["line"], e["column"]))


def collect_autopar(root: str) -> list[Case]:
    """Every C source with a reference JSON beside it; its OpenMP pragmas are blanked before analysis."""
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            js = os.path.join(dirpath, name + ".json")
            if name.endswith(".c") and os.path.isfile(js):
                out.append(
                    Case(
                        os.path.join(dirpath, name),
                        (os.path.basename(dirpath),),
                        None,
                        lambda f: False,
                        kind="suggest",
                        blank_pragmas=True,
                        reference=reference_loops(js),
                    )
                )
    return sorted(out, key=lambda c: c.path)


# ---------------------------------------------------------------------------------------------
# DataRaceBench as an advisor reference


def collect_drb_advice(root: str) -> list[Case]:
    """Race-free (``-no``) kernels: the loops under an OpenMP loop directive are the parallel ones
    (``loopref``); racy (``-yes``) kernels are not references, their directive loops are only checked."""
    out = []
    for case in collect_drb(root):
        loops = loopref.reference_from_pragmas(_read(case.path), case.path)
        racy = case.expected
        out.append(
            Case(
                case.path,
                case.groups if not racy else tuple(f"{g} racy" for g in case.groups),
                None,
                lambda f: False,
                kind="suggest-vet" if racy else "suggest",
                pairs=case.pairs,
                blank_pragmas=True,
                reference=[] if racy else loops,
                racy=[r for r in loops if r["parallel"]] if racy else None,
            )
        )
    return out


SUITES: dict[str, Suite] = {
    s.name: s
    for s in (
        Suite("dataracebench-dev", "drb", collect_drb),
        Suite("mpi-corrbench", "corrbench", collect_corrbench),
        Suite("gpuverify-testsuite", "gpuverify", collect_gpuverify),
        Suite("dracc", "dracc", collect_dracc),
        Suite("autoparbench-npb", "apb", collect_autopar, unit="loops"),
        Suite("dataracebench-advice", "drb", collect_drb_advice, unit="loops", directory="dataracebench-dev"),
    )
}


def revision(suite_dir: str, suite: Suite) -> str:
    """The upstream repository and revision from the SOURCES.txt beside the suite ('unknown' if absent)."""
    for cand in (
        os.path.join(suite_dir, "SOURCES.txt"),
        os.path.join(os.path.dirname(suite_dir), "SOURCES.txt"),
    ):
        if os.path.isfile(cand):
            for line in _read(cand).splitlines():
                key, _, rest = line.partition(":")
                if key.strip() == suite.sources_key:
                    return rest.strip()
    return "unknown"
