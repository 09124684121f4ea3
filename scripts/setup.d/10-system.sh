#!/usr/bin/env bash
# Debian packages the tests use: compilers for the snippet/advisor tests, Open MPI and its man pages.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need=()
command -v gfortran >/dev/null || need+=(gfortran)
command -v mpicc >/dev/null || need+=(libopenmpi-dev openmpi-bin)
ls /usr/share/man/man3/MPI_Isend* >/dev/null 2>&1 || need+=(openmpi-doc)
command -v rg >/dev/null || need+=(ripgrep)
apt_install ${need[@]+"${need[@]}"}
