#!/usr/bin/env bash
# Compilers the corpus tests use: gcc/g++ (OpenMP C/C++ snippets) and gfortran (Fortran snippets).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v g++ >/dev/null || need+=(g++)
command -v gfortran >/dev/null || need+=(gfortran)
apt_install ${need[@]+"${need[@]}"}
