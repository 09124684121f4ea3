"""Run ``hpclsp serve`` under a Python audit hook that records every subprocess, exec, fork and
socket connect/bind to the JSON-lines file named by HPCLSP_AUDIT_LOG (used by test_no_subprocess_or_network)."""

from __future__ import annotations

import json
import os
import sys

WATCHED = (
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.fork",
    "os.spawn",
    "socket.connect",
    "socket.bind",
    "pty.spawn",
)

_log = open(os.environ["HPCLSP_AUDIT_LOG"], "a", buffering=1)  # noqa: SIM115  (kept open for the process)


def _hook(event: str, args: tuple) -> None:
    if event.startswith(WATCHED):
        try:
            _log.write(json.dumps({"event": event, "args": repr(args)[:300]}) + "\n")
        except Exception:
            pass


sys.addaudithook(_hook)

from hpclsp.cli import main  # noqa: E402

sys.exit(main(["serve"]))
