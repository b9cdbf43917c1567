#!/usr/bin/env bash
# nix-env -i against garbage collections running in a loop beside it, on a throwaway store: the
# user environment (its manifest, .drv and output), built and registered before the generation
# link exists, is held by temporary roots until then, and the packages it links to by the
# references of the new environment; so after every install the profile's whole closure is
# valid and complete, and the store verifies. Nothing else roots the packages (they are built by
# the install itself, from a fresh expression each round). Env: GC_ENV_ROUNDS (12).
set -Eeuo pipefail
trap 'echo "FAIL: line $LINENO" >&2' ERR
: "${NIXPP_BIN:?}"
rounds=${GC_ENV_ROUNDS:-12}
tmp=$(mktemp -d)
gcpid=
cleanup() {
  if [ -n "$gcpid" ]; then touch "$tmp/stop"; wait "$gcpid" 2>/dev/null || true; fi
  chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"
}
trap cleanup EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log NIX_STORE_DIR=$tmp/store HOME=$tmp/home
mkdir -p "$NIX_CONF_DIR" "$HOME"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
unset NIX_PROFILE NIX_PATH
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x /bin/busybox ] || fail "needs busybox-static"

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir echo; do ln -s busybox "$tmp/tools/bin/$a"; done
tools=$("$NIXPP_BIN/nix-store" --add "$tmp/tools")
mkdir -p "$NIX_STATE_DIR/gcroots"
ln -s "$tools" "$NIX_STATE_DIR/gcroots/tools"
cat > "$tmp/pkgs.nix" <<'NIX'
{ tools, round }:
let t = builtins.storePath tools;
    mk = n: derivation {
      name = "pkg${n}-${round}";
      system = builtins.currentSystem;
      builder = "${t}/bin/sh";
      args = [ "-c" "export PATH=${t}/bin; mkdir -p $out/bin $out/share/${n}; echo ${n} ${round} > $out/bin/p${n}; echo ${n} > $out/share/${n}/doc" ];
    };
in { a = mk "a"; b = mk "b"; c = mk "c"; }
NIX

# Collections in a loop until told to stop. (Not killed: kill would end the loop's subshell and
# leave the collection it runs going on, beside the checks below.)
( while [ ! -e "$tmp/stop" ]; do "$NIXPP_BIN/nix-store" --gc > /dev/null 2>> "$tmp/gc.err" || echo "gc failed" >> "$tmp/gc.failed"; done ) &
gcpid=$!

for ((r = 0; r < rounds; r++)); do
  "$NIXPP_BIN/nix-env" -f "$tmp/pkgs.nix" --argstr tools "$tools" --argstr round "$r" -p "$tmp/profile" \
    -iA a b c > /dev/null 2> "$tmp/err" || { cat "$tmp/err"; fail "round $r: install"; }
  env=$(readlink -f "$tmp/profile")
  [ -e "$env/manifest.nix" ] || fail "round $r: the user environment $env was collected"
  for n in a b c; do
    [ "$(cat "$tmp/profile/bin/p$n")" = "$n $r" ] || fail "round $r: package $n was collected"
  done
  # Every path of the closure valid and present.
  "$NIXPP_BIN/nix-store" -qR "$env" > "$tmp/closure" || fail "round $r: closure of $env not valid"
  while read -r p; do [ -e "$p" ] || fail "round $r: $p valid but missing"; done < "$tmp/closure"
  # Older generations go, so that the collector has garbage to take each round.
  "$NIXPP_BIN/nix-env" -p "$tmp/profile" --delete-generations old > /dev/null 2>&1
done
touch "$tmp/stop"; wait "$gcpid"; gcpid=   # the last collection has finished
[ ! -e "$tmp/gc.failed" ] || { cat "$tmp/gc.err"; fail "a collection failed"; }
grep -q "^deleting '" "$tmp/gc.err" || fail "the collector never deleted anything (no race tested)"
"$NIXPP_BIN/nix-store" --verify --check-contents 2> "$tmp/verify" || { cat "$tmp/verify"; fail "store damaged"; }
! grep -v "^reading the Nix store\|^checking path existence\|^checking hashes" "$tmp/verify" || fail "verify complained"
for n in a b c; do [ "$(cat "$tmp/profile/bin/p$n")" = "$n $((rounds - 1))" ] || fail "final profile"; done
echo "all ok ($rounds installs beside $(grep -c "^finding garbage" "$tmp/gc.err") collections)"
