"""Set-up check of the installed llama.cpp (run by scripts/setup.sh, exit 1 on failure).

1. The build is the portable one: llama.cpp reports no AVX-512 and no AMX kernels (these are what
   a native build on a newer CPU compiles in, and what crashes elsewhere).
2. It really works: the model worker, a child process, loads the fast embedded model and generates
   a few tokens; a crash is reported with its signal instead of killing this script.
"""

from __future__ import annotations

import sys

from hpclsp.llm import model_files, portable, worker_client


def main() -> int:
    """Run both checks; print one line each."""
    path = model_files.fast_model_path()
    res = worker_client.probe(str(path), tokens=4)
    if not res.ok:
        print(f"llama.cpp check: FAILED: {res.message}", file=sys.stderr)
        return 1
    problems = portable.problems(res.system_info)
    if problems:
        print(
            f"llama.cpp check: not a portable build ({'; '.join(problems)}): {res.system_info}",
            file=sys.stderr,
        )
        return 1
    print(f"== setup: llama.cpp is the portable build and works ({res.message})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
