# Sourced by the pkgs_* e2e tests: fills (or finds filled) the hashed source mirror, then makes a
# throwaway store under a temp dir ($tmp, removed on exit) with the sandbox on and nix.conf's
# hashed-mirrors pointing at the mirror; cds there and sets $pkgs to the collection. Needs
# NIXPP_SRC; defines fail.
mirror=/var/cache/nixpp/mirror   # scripts/fill-mirror.sh's default
[ "$(id -u)" = 0 ] || mirror=${XDG_CACHE_HOME:-$HOME/.cache}/nixpp/mirror
mirror=${NIXPP_MIRROR:-$mirror}
fail() { echo "FAIL: $*" >&2; exit 1; }

if ! bash "$NIXPP_SRC/scripts/fill-mirror.sh" "$mirror"; then
  fail "the source mirror $mirror is incomplete and could not be filled (see above); run scripts/fill-mirror.sh with network access"
fi

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_STORE_DIR=$tmp/store NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log NIX_CONF_DIR=$tmp/etc
export HOME=$tmp/home NIX_PATH=
mkdir -p "$NIX_CONF_DIR" "$HOME"
cat > "$NIX_CONF_DIR/nix.conf" <<EOF
build-users-group =
sandbox = true
substituters =
hashed-mirrors = file://$mirror
experimental-features = nix-command
EOF
cd "$tmp"
pkgs=$NIXPP_SRC/pkgs
