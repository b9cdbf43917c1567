#!/usr/bin/env bash
# Profiles under stress, on a throwaway store: concurrent `nix-env -i` into one profile never lose
# a package or a generation (the profile lock and the optimistic restart), and `kill -9` at random
# moments of generation switches and installs leaves the profile pointing at a complete
# generation whose programs run.
set -Eeuo pipefail
trap 'echo "FAIL: line $LINENO" >&2' ERR
: "${NIXPP_BIN:?}" "${NIXPP_TEST_DATA:?}"
tmp=$(mktemp -d)
trap 'jobs -p | xargs -r kill -9 2>/dev/null; chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log NIX_STORE_DIR=$tmp/store HOME=$tmp/home
mkdir -p "$NIX_CONF_DIR" "$HOME"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
unset NIX_PROFILE NIX_PATH
fail() { echo "FAIL: $*" >&2; exit 1; }
ne() { "$NIXPP_BIN/nix-env" "$@"; }
NE=$NIXPP_BIN/nix-env  # run directly in the background, so that $! is nix-env itself
[ -x /bin/busybox ] || fail "needs busybox-static"

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir printf chmod echo cat; do ln -s busybox "$tmp/tools/bin/$a"; done
tools=$("$NIXPP_BIN/nix-store" --add "$tmp/tools")
F=(-f "$NIXPP_TEST_DATA/profiles/pkgs.nix" --argstr tools "$tools")
P=$tmp/profiles/p
mkdir -p "$tmp/profiles"
# Build everything first, so that the races below are about the profile, not the builds.
ne "${F[@]}" -p "$tmp/profiles/warm" -iA hello app foo bar multi 2>/dev/null
ne "${F[@]}" -p "$tmp/profiles/warm" -iA hello2 2>/dev/null

# 1. Concurrent installs into one profile: every package ends up installed, one generation each.
pids=()
for a in hello app foo bar multi; do
  ne "${F[@]}" -p "$P" -iA "$a" 2>"$tmp/err.$a" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent install failed: $(cat "$tmp"/err.*)"; done
[ "$(ne -p "$P" -q | tr '\n' ' ')" = "app-0.5 bar-1.2pre3 foo-0.1 hello-1.0 multi-3 " ] ||
  fail "a concurrent install was lost: $(ne -p "$P" -q | tr '\n' ' ')"
[ "$(ne -p "$P" --list-generations | wc -l)" = 5 ] || fail "expected 5 generations: $(ne -p "$P" --list-generations)"
[ ! -e "$P.lock" ] || [ ! -s "$P.lock" ] || true
echo "concurrent installs: ok"

# 2. kill -9 at random moments of switches, rollbacks and installs: the profile always points at an
# existing, complete generation, and a program in it runs.
check() {
  local t
  t=$(readlink -f "$P") || fail "profile link missing"
  [ -e "$t/manifest.nix" ] || fail "profile points at an incomplete environment: $t"
  local progs=("$P"/bin/*)
  [ -x "${progs[0]}" ] || fail "no program in the profile after a kill"
  for f in "${progs[@]}"; do "$f" >/dev/null || fail "$f does not run after a kill"; done
  ne -p "$P" -q >/dev/null || fail "profile unreadable after a kill"
}
for i in $(seq 1 60); do
  case $((i % 4)) in
    0) "$NE" -p "$P" --rollback >/dev/null 2>&1 & ;;
    1) "$NE" -p "$P" -G $(( (RANDOM % 5) + 1 )) >/dev/null 2>&1 & ;;
    2) "$NE" "${F[@]}" -p "$P" -iA hello2 >/dev/null 2>&1 & ;;
    3) "$NE" "${F[@]}" -p "$P" -iA hello >/dev/null 2>&1 & ;;
  esac
  pid=$!
  sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  check
done
# After the storm the profile still takes changes.
ne "${F[@]}" -p "$P" -iA hello 2>/dev/null || fail "install after the kills"
[ "$("$P/bin/hello" | tail -1)" = "hello 1.0" ] || fail "final install"
echo "kill -9 loop: ok"
