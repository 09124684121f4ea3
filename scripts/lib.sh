#!/usr/bin/env bash
# Shared helpers for the scripts in scripts/setup.d (sourced, not run).

# apt_install PACKAGE...: install the given Debian packages (none given: nothing to do).
apt_install() {
  [ $# -gt 0 ] || return 0
  local sudo=
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "installing Debian packages: $*"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
