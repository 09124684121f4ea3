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

# 4. llama.cpp, built portably: no CPU detection (GGML_NATIVE=OFF), AVX2-class flags, nothing that
#    needs AVX-512 or AMX, so one build runs on every x86-64 machine with AVX2. It is always built
#    from source without pip's wheel cache (a cached wheel is keyed by version, not by flags, and
#    one built natively on another machine would crash here); a stamp records the flags it was
#    built with, and step 6 checks it with a real load-and-generate.
LLAMA_VERSION=0.3.16
case "$(uname -m)" in
  x86_64 | amd64)
    LLAMA_FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
    LLAMA_FLAGS+=" -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
    LLAMA_FLAGS+=" -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_BACKEND_DL=OFF" ;;
  *) LLAMA_FLAGS="-DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_BACKEND_DL=OFF" ;;
esac
LLAMA_STAMP="$VENV/.llama-portable"
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
build_llama() {
  echo "== setup: building llama-cpp-python $LLAMA_VERSION from source, portable flags (a few minutes)"
  rm -f "$LLAMA_STAMP"
  CMAKE_ARGS="$LLAMA_FLAGS" FORCE_CMAKE=1 $PIP install --quiet --no-cache-dir --force-reinstall --no-deps \
    --no-binary llama-cpp-python "llama-cpp-python==$LLAMA_VERSION"
  echo "$LLAMA_VERSION $LLAMA_FLAGS" >"$LLAMA_STAMP"
}
if [ "$(cat "$LLAMA_STAMP" 2>/dev/null)" != "$LLAMA_VERSION $LLAMA_FLAGS" ]; then
  build_llama
fi

# 5. The project with every extra. The constraint keeps the portable llama-cpp-python in place, and
#    should pip still decide to build it, it builds from source with the same flags.
stamp="$VENV/.hpclsp-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "== setup: installing hpclsp and its dependencies"
  constraint="$VENV/llama-constraint.txt"
  echo "llama-cpp-python==$LLAMA_VERSION" >"$constraint"
  CMAKE_ARGS="$LLAMA_FLAGS" PIP_NO_BINARY=llama-cpp-python $PIP install --quiet --no-cache-dir \
    -c "$constraint" -e ".[all,dev]"
  touch "$stamp"
fi

# 6. The installed llama.cpp must be the portable build and must really generate (in a child
#    process, so a crash is reported, not fatal); rebuild once if it does not.
if ! "$VENV/bin/python" scripts/check_llama.py; then
  echo "== setup: the llama.cpp check failed; rebuilding once"
  build_llama
  "$VENV/bin/python" scripts/check_llama.py
fi
