#!/usr/bin/env bash
# Idempotent set-up for `make run` and `make test`: system packages, .venv, Python packages.
# Each step checks whether its work is already done, so a second run is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.venv

# 1. System packages and tools (each script in scripts/setup.d checks before it installs).
for s in scripts/setup.d/*.sh; do
  [ -e "$s" ] || continue
  echo "== setup: $s"
  bash "$s"
done

# 2. The virtual environment.
if [ ! -x "$VENV/bin/python" ]; then
  echo "== setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PIP="$VENV/bin/python -m pip"

# 3. CPU torch first, so sentence-transformers does not pull CUDA wheels.
if ! "$VENV/bin/python" -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  echo "== setup: installing torch==2.13.0 (CPU)"
  $PIP install --quiet "torch==2.13.0"
fi

# 4. The project and its dependencies (llama-cpp-python builds from source once; pip caches the wheel).
stamp="$VENV/.hpclsp-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "== setup: installing hpclsp and its dependencies"
  export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
  $PIP install --quiet -e ".[dev]"
  touch "$stamp"
fi
