#!/usr/bin/env bash
# Editor test dependencies: Debian's chromium (headless browser for the code-server test),
# libkrb5-dev (code-server's kerberos module builds against it), ripgrep; the VS Code extension's
# locked npm dependencies (npm ci); and code-server 4.99.x installed once into the user cache dir.
# Idempotent: every step checks first, so a second run takes about a second.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$(dirname "$0")/../.."

CS_VERSION=4.99.4
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/hpclsp/editors"
CS_ROOT="$CACHE/code-server-$CS_VERSION"
CS="$CS_ROOT/node_modules/code-server"
VSCODE_DIR=editors/vscode
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# 1. Debian packages.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v rg >/dev/null || need+=(ripgrep)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
apt_install ${need[@]+"${need[@]}"}

# 2. The extension's npm dependencies, from the committed package-lock.json.
stamp="$VSCODE_DIR/node_modules/.hpclsp-npm-ci"
if [ ! -f "$stamp" ] || [ "$VSCODE_DIR/package-lock.json" -nt "$stamp" ]; then
  echo "== editors: npm ci in $VSCODE_DIR"
  (cd "$VSCODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi

# 3. code-server from npm, once, in the user cache dir. Its install script would download
#    ripgrep (no network here besides the registries), so: --ignore-scripts, Debian's rg in its
#    place, and the native modules rebuilt explicitly (what its postinstall.sh would do).
if [ ! -f "$CS/.hpclsp-ready" ]; then
  echo "== editors: installing code-server $CS_VERSION into $CS_ROOT (one time, ~2 minutes)"
  rm -rf "$CS_ROOT"
  mkdir -p "$CS_ROOT"
  (cd "$CS_ROOT" && npm install --no-save --unsafe-perm --ignore-scripts --loglevel=error "code-server@$CS_VERSION")
  (cd "$CS_ROOT" && npm_config_yes=true npm rebuild --loglevel=error argon2)
  (
    cd "$CS/lib/vscode"
    npm install --unsafe-perm --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
    mkdir -p node_modules/@vscode/ripgrep/bin
    cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    # node-pty's post-install also generates compile_commands.json via npx; its native module is
    # built before that step, so a failure there is checked below instead of trusted.
    npm_config_yes=true npm rebuild --loglevel=error @parcel/watcher @vscode/spdlog kerberos native-watchdog \
      node-pty @vscode/deviceid || true
    for m in node_modules/@vscode/spdlog node_modules/kerberos node_modules/native-watchdog node_modules/node-pty; do
      if ! find "$m/build/Release" -name '*.node' 2>/dev/null | grep -q .; then
        echo "code-server: native module $m did not build" >&2
        exit 1
      fi
    done
    ln -sfn node_modules node_modules.asar
    (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
    (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
    cd extensions
    npm install --unsafe-perm --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
  )
  XDG_CONFIG_HOME="$(mktemp -d)" node "$CS/out/node/entry.js" --version >/dev/null
  touch "$CS/.hpclsp-ready"
fi
