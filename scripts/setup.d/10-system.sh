#!/usr/bin/env bash
# Debian packages the tests use: compilers for the snippet/advisor tests, Open MPI and its man pages.
set -euo pipefail
need=()
command -v gfortran >/dev/null || need+=(gfortran)
command -v mpicc >/dev/null || need+=(libopenmpi-dev openmpi-bin)
ls /usr/share/man/man3/MPI_Isend* >/dev/null 2>&1 || need+=(openmpi-doc)
command -v rg >/dev/null || need+=(ripgrep)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
