"""``compile_commands.json``: which macros a file is compiled with.

The database is found by searching upward from the file (or given explicitly). A file's entry gives
its ``-D``/``-U``/``-I`` flags; ``-fopenmp`` (and the other compilers' spellings) defines ``_OPENMP``.
``hpclsp.preprocessor`` then blanks the branches that build does not compile. A file without an
entry, or without a database, is analysed as before (every branch kept).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shlex
import threading
from typing import Any

from hpclsp.preprocessor import Macros, compiler_macros

log = logging.getLogger(__name__)

FILENAME = "compile_commands.json"
#: Flags that enable OpenMP (GCC/Clang, Intel, NVIDIA/PGI, Cray, IBM).
OPENMP_FLAGS = frozenset(
    {"-fopenmp", "-qopenmp", "-fiopenmp", "-openmp", "-mp", "-homp", "-qsmp=omp", "-fopenmp=libomp"}
)


@dataclasses.dataclass(frozen=True)
class Entry:
    """The preprocessor-relevant part of one file's compile command."""

    file: str
    defines: tuple[tuple[str, str], ...] = ()  # (name, value) for -D, in order
    undefines: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    openmp: bool = False

    def macros(self, language: str) -> Macros:
        """The known macro states for this command in a language (later -D/-U win, as in cc)."""
        table = compiler_macros(language, self.openmp)
        for name, value in self.defines:
            table[name] = value
        for name in self.undefines:
            table[name] = None
        return Macros(table)


def _arguments(item: dict[str, Any]) -> list[str]:
    args = item.get("arguments")
    if isinstance(args, list) and all(isinstance(a, str) for a in args):
        return list(args)
    cmd = item.get("command")
    if isinstance(cmd, str):
        try:
            return shlex.split(cmd)
        except ValueError:
            return cmd.split()
    return []


def parse_entry(item: dict[str, Any], db_dir: str) -> Entry | None:
    """One database object as an Entry (None when it is malformed)."""
    if not isinstance(item, dict) or not isinstance(item.get("file"), str):
        return None
    directory = item.get("directory") if isinstance(item.get("directory"), str) else db_dir
    path = os.path.normpath(os.path.join(str(directory), item["file"]))
    defines: list[tuple[str, str]] = []
    undefines: list[str] = []
    includes: list[str] = []
    openmp = False
    args = _arguments(item)
    i = 0
    while i < len(args):
        a = args[i]
        value: str | None = None
        for flag in ("-D", "-U", "-I"):
            if a == flag and i + 1 < len(args):
                i += 1
                value = args[i]
            elif a.startswith(flag) and len(a) > 2:
                value = a[2:]
            if value is not None:
                if flag == "-D":
                    name, _, val = value.partition("=")
                    defines.append((name.strip(), val if "=" in value else "1"))
                elif flag == "-U":
                    undefines.append(value.strip())
                else:
                    includes.append(os.path.normpath(os.path.join(str(directory), value)))
                break
        if value is None and (a in OPENMP_FLAGS or a.startswith("-fopenmp=")):
            openmp = True
        elif a == "-fno-openmp":
            openmp = False
        i += 1
    return Entry(path, tuple(defines), tuple(undefines), tuple(includes), openmp)


class CompileDatabase:
    """The entries of one ``compile_commands.json``, by normalised absolute file path."""

    def __init__(self, path: str, entries: dict[str, Entry]) -> None:
        self.path = path
        self.entries = entries

    @classmethod
    def load(cls, path: str) -> CompileDatabase:
        """Read a database; raises OSError or ValueError when it cannot be read."""
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a JSON array of compile commands")
        db_dir = os.path.dirname(os.path.abspath(path))
        entries: dict[str, Entry] = {}
        for item in data:
            e = parse_entry(item, db_dir)
            if e is not None:
                entries.setdefault(os.path.realpath(e.file), e)  # the first command of a file wins
        return cls(path, entries)

    def entry_for(self, file: str) -> Entry | None:
        """The entry of a file, if the database has one."""
        return self.entries.get(os.path.realpath(file))


def find(start: str) -> str | None:
    """The nearest ``compile_commands.json`` in the directory of start or above it (or ``build/``)."""
    d = os.path.dirname(os.path.abspath(start)) if not os.path.isdir(start) else os.path.abspath(start)
    while True:
        for cand in (os.path.join(d, FILENAME), os.path.join(d, "build", FILENAME)):
            if os.path.isfile(cand):
                return cand
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


_CACHE: dict[str, tuple[float, CompileDatabase | None]] = {}
_LOCK = threading.Lock()


def load_cached(path: str) -> CompileDatabase | None:
    """A database read once per modification time (None, logged once, when it is unreadable)."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    with _LOCK:
        hit = _CACHE.get(path)
    if hit is not None and hit[0] == mtime:
        return hit[1]
    db: CompileDatabase | None
    try:
        db = CompileDatabase.load(path)
    except (OSError, ValueError) as exc:
        log.warning("%s: cannot read the compilation database (%s)", path, exc)
        db = None
    with _LOCK:
        _CACHE[path] = (mtime, db)
    return db


def entry_for(file: str, database: str | None = None) -> Entry | None:
    """The compile entry of a file from the given database or the nearest one above it."""
    path = database or find(file)
    if path is None:
        return None
    db = load_cached(path)
    return db.entry_for(file) if db is not None else None
