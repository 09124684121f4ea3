"""``hpclsp serve``: the language server over stdio (default) or TCP."""

from __future__ import annotations

import argparse
import logging
import sys

HELP = "run the language server (stdio by default)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``hpclsp serve``."""
    p.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    p.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2087)
    p.add_argument("--log-file", help="write the log here instead of stderr")
    p.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))


def run(args: argparse.Namespace) -> int:
    """Start the server; logs never go to stdout."""
    handler: logging.Handler = (
        logging.FileHandler(args.log_file) if args.log_file else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if args.verbose else getattr(logging, args.log_level.upper()))
    if not args.verbose and args.log_level != "debug":
        logging.getLogger("pygls").setLevel(logging.WARNING)  # pygls logs every message body at INFO
    from hpclsp.server import create_server

    server = create_server()
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return 0
