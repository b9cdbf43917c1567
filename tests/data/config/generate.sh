#!/usr/bin/env bash
# Regenerates show-config.expected: what Nix 2.8's `nix show-config` prints for the configuration
# in this folder (etc/nix.conf with its includes, user/nix.conf as NIX_USER_CONF_FILES, the
# contents of NIX_CONFIG), and the warnings it printed. Not needed to run the tests.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log HOME=$tmp/home
export NIX_CONF_DIR=$here/etc NIX_USER_CONF_FILES=$here/user/nix.conf NIX_CONFIG="$(cat "$here/NIX_CONFIG")"
unset NIX_PATH NIX_REMOTE XDG_CONFIG_HOME XDG_CONFIG_DIRS
nix show-config > "$here/show-config.expected" 2> "$here/show-config.stderr"
