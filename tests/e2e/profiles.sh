#!/usr/bin/env bash
# nix-env and profiles on a throwaway store (NIX_STORE_DIR etc. under a temp dir, HOME there too),
# checked against Nix 2.8 on the same store: the user environment's .drv and output path equal
# Nix's for the same installs; queries print the same text; two profiles sharing a dependency
# stay working when one is upgraded and uninstalled; --rollback restores the exact closure;
# generations are listed, switched and deleted as Nix does; conflicts and priorities.
set -Eeuo pipefail
trap 'echo "FAIL: line $LINENO" >&2' ERR
: "${NIXPP_BIN:?}" "${NIXPP_TEST_DATA:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log NIX_STORE_DIR=$tmp/store HOME=$tmp/home
mkdir -p "$NIX_CONF_DIR" "$HOME"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
unset NIX_PROFILE NIX_PATH
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { pass=$((pass + 1)); echo "group $pass: ok"; }
ne() { "$NIXPP_BIN/nix-env" "$@"; }
if ! command -v nix-env >/dev/null || [ ! -x /bin/busybox ]; then
  fail "needs Nix 2.8's nix-env and busybox-static (scripts/install-deps.sh installs them)"
fi

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir printf chmod echo cat; do ln -s busybox "$tmp/tools/bin/$a"; done
tools=$("$NIXPP_BIN/nix-store" --add "$tmp/tools")
pkgs=$NIXPP_TEST_DATA/profiles/pkgs.nix
F=(-f "$pkgs" --argstr tools "$tools")

# 1. A first install: ~/.nix-profile made as Nix 2.8 makes it, generation 1, programs run.
ne "${F[@]}" -i hello foo 2>"$tmp/err" || { cat "$tmp/err"; fail "first install"; }
[ "$(readlink "$HOME/.nix-profile")" = "$NIX_STATE_DIR/profiles/default" ] || fail "~/.nix-profile"
[ "$(readlink "$NIX_STATE_DIR/profiles/default")" = default-1-link ] || fail "profile -> default-1-link"
[ -d "$NIX_STATE_DIR/profiles/per-user/root" ] || fail "per-user dir"
[ -L "$HOME/.nix-defexpr/channels" ] || fail "~/.nix-defexpr/channels"
grep -qx "installing 'hello-2.0'" "$tmp/err" && grep -qx "installing 'foo-0.1'" "$tmp/err" || fail "installing messages"
grep -q "^these [0-9]* derivations will be built:" "$tmp/err" || fail "printMissing"
[ "$("$HOME/.nix-profile/bin/hello")" = "$(printf 'libdep-ok\nhello 2.0')" ] || fail "hello does not run"
[ "$("$HOME/.nix-profile/bin/foo")" = foo ] || fail "foo does not run"
env1=$(readlink -f "$HOME/.nix-profile")
[ -L "$env1/share" ] || fail "single-package directory not linked whole"
ok

# 2. Nix 2.8 makes the same user environment (same .drv, same output path) for the same installs,
# without building anything; and reads our manifest.
nix-env "${F[@]}" -p "$tmp/nixprof" -i hello foo 2>"$tmp/err.nix" || { cat "$tmp/err.nix"; fail "Nix 2.8 install"; }
[ "$(readlink -f "$tmp/nixprof")" = "$env1" ] || fail "user environment differs from Nix 2.8's: $(readlink -f "$tmp/nixprof") vs $env1"
! grep -q "user-environment.drv" "$tmp/err.nix" || fail "Nix 2.8 had to build the user environment again"
diff <(grep -v "will be built\|^  /\|^building" "$tmp/err" ) <(grep -v "will be built\|^  /\|^building" "$tmp/err.nix") ||
  fail "install messages differ from Nix 2.8's"
[ "$(nix-env -q)" = "$(ne -q)" ] || fail "Nix 2.8 reads our profile differently"
ok

# 3. Queries print what Nix 2.8 prints (installed, available, status, paths, versions, JSON).
for q in "-q" "-qs" "-q --out-path --description" "-q --json" "-q --json --meta --out-path" \
         "-qa" "-qaP" "-qa --status --out-path" "-qa --drv-path" "-qc" "-qac" "-qa --json" \
         "-qa --description" "-q hello" "-qa hello.*" "-qa --system" "-qaP -A nested" "-qa --json --meta"; do
  read -ra qa <<<"$q"
  exp=$(nix-env "${F[@]}" "${qa[@]}" 2>&1) || fail "Nix 2.8 failed on nix-env $q"
  got=$(ne "${F[@]}" "${qa[@]}" 2>&1) || fail "nix-env $q failed: $got"
  [ "$got" = "$exp" ] || { diff <(echo "$exp") <(echo "$got") >&2 || true; fail "nix-env $q differs from Nix 2.8"; }
done
[ -z "$(ne -p "$tmp/empty" -q)" ] || fail "an empty profile lists something"
exp=$(nix-env "${F[@]}" -q nosuch 2>&1 || echo "rc=$?")
got=$(ne "${F[@]}" -q nosuch 2>&1 || echo "rc=$?")
[ "$got" = "$exp" ] || fail "unknown selector: '$got' vs '$exp'"
ok

# 4. Two profiles share libdep; upgrading and uninstalling in one leaves the other working.
P2=$tmp/profiles/other
mkdir -p "$tmp/profiles"  # as in Nix 2.8, the profile's directory must exist
ne "${F[@]}" -p "$P2" -i app 2>/dev/null || fail "install into a second profile"
ne "${F[@]}" -iA hello 2>"$tmp/err"
grep -qx "replacing old 'hello-2.0'" "$tmp/err" && grep -qx "installing 'hello-1.0'" "$tmp/err" || fail "replacing"
[ "$("$HOME/.nix-profile/bin/hello" | tail -1)" = "hello 1.0" ] || fail "hello 1.0"
ne "${F[@]}" -u hello 2>"$tmp/err" && grep -q "hello-1.0' to 'hello-2.0'" "$tmp/err" || { cat "$tmp/err"; fail "upgrade"; }
[ "$("$HOME/.nix-profile/bin/hello" | tail -1)" = "hello 2.0" ] || fail "upgraded hello"
ne -e hello foo 2>"$tmp/err"
grep -qx "uninstalling 'hello-2.0'" "$tmp/err" && grep -qx "uninstalling 'foo-0.1'" "$tmp/err" || fail "uninstall messages"
[ ! -e "$HOME/.nix-profile/bin/hello" ] || fail "hello still installed"
[ "$("$P2/bin/app")" = "$(printf 'libdep-ok\napp 0.5')" ] || fail "other profile broken"
[ "$(ne -p "$P2" -q)" = app-0.5 ] || fail "other profile's contents"
ne -e nosuch 2>"$tmp/err"; grep -qx "warning: selector 'nosuch' matched no installed derivations" "$tmp/err" || fail "warning"
ok

# 5. Rollback restores the previous generation's exact closure; generations as Nix lists them.
gen_before=$(readlink -f "$NIX_STATE_DIR/profiles/default-2-link")
ne --rollback 2>"$tmp/err"
grep -qx "switching profile from version 4 to 3" "$tmp/err" || { cat "$tmp/err"; fail "rollback message"; }
ne --rollback 2>/dev/null
[ "$(readlink -f "$HOME/.nix-profile")" = "$gen_before" ] || fail "rollback target"
[ "$("$NIXPP_BIN/nix-store" -qR "$HOME/.nix-profile" | sort)" = "$(nix-store -qR "$gen_before" | sort)" ] || fail "closure"
[ "$("$HOME/.nix-profile/bin/hello" | tail -1)" = "hello 1.0" ] || fail "hello after rollback"
[ "$(ne --list-generations)" = "$(nix-env --list-generations)" ] || fail "--list-generations differs"
ne --list-generations | grep "^   2   .*   (current)$" >/dev/null || fail "current generation"
ne -G 9 2>"$tmp/err" && fail "switch to a missing generation"
grep -qx "error: profile version 9 does not exist" "$tmp/err" || fail "missing generation message"
ne --switch-generation 1 2>"$tmp/err"; grep -qx "switching profile from version 2 to 1" "$tmp/err" || fail "-G"
ne --rollback 2>"$tmp/err" && fail "rollback past the first"
grep -qx "error: no profile version older than the current (1) exists" "$tmp/err" || fail "rollback past the first: message"
ok

# 6. Deleting generations, as Nix: never the current one; old, +N, Nd, dry run.
ne -G 4 2>/dev/null
ne --delete-generations 4 2>"$tmp/err" && fail "deleted the current generation"
grep -qx "error: cannot delete current version of profile $NIX_STATE_DIR/profiles/default'" "$tmp/err" || fail "message"
ne --dry-run --delete-generations old 2>"$tmp/err"
[ "$(cat "$tmp/err")" = "$(printf '(dry run; not doing anything)\nwould remove profile version 1\nwould remove profile version 2\nwould remove profile version 3')" ] || fail "dry run"
[ -L "$NIX_STATE_DIR/profiles/default-1-link" ] || fail "dry run deleted"
ne --delete-generations +2 2>"$tmp/err"
[ "$(cat "$tmp/err")" = "$(printf 'removing profile version 2\nremoving profile version 1')" ] || { cat "$tmp/err"; fail "+2"; }
ne --delete-generations 30d 2>"$tmp/err"; [ ! -s "$tmp/err" ] || fail "30d deleted fresh generations"
ne --delete-generations old 2>"$tmp/err"; grep -qx "removing profile version 3" "$tmp/err" || fail "old"
[ "$(ne --list-generations | wc -l)" = 1 ] || fail "one generation left"
ne --delete-generations x 2>/dev/null && fail "bad generation number accepted"
ok

# 7. -A, --set-flag, priorities and conflicts, propagated packages, multiple outputs, --set.
ne "${F[@]}" -iA hello clash 2>"$tmp/err" && fail "conflict not detected"
grep -q "error: packages '.*/bin/hello' and '.*/bin/hello' have the same priority 5; use 'nix-env --set-flag priority NUMBER INSTALLED_PKGNAME' to change the priority of one of the conflicting packages (0 being the highest priority)" "$tmp/err" ||
  { cat "$tmp/err"; fail "conflict message (Nix 2.8's)"; }
ne "${F[@]}" -iA hello foo 2>"$tmp/err" || { cat "$tmp/err"; fail "install after a conflict"; }
ne "${F[@]}" -iA clash 2>/dev/null && fail "conflict with installed hello not detected"
ne --set-flag priority 10 hello 2>"$tmp/err"; grep -qx "setting flag on 'hello-1.0'" "$tmp/err" || fail "set-flag"
ne "${F[@]}" -iA clash 2>/dev/null || fail "priority did not resolve the conflict"
[ "$("$HOME/.nix-profile/bin/hello")" = clash ] || fail "lower priority number should win"
[ "$(nix-env -q --json --meta hello)" = "$(ne -q --json --meta hello)" ] || fail "set-flag meta differs from Nix 2.8"
ne -e clash 2>/dev/null || fail "uninstall clash"
ne "${F[@]}" -iA withprop multi 2>"$tmp/err" || { cat "$tmp/err"; fail "withprop multi"; }
[ "$("$HOME/.nix-profile/bin/app" | tail -1)" = "app 0.5" ] || fail "propagated package not linked"
[ -e "$HOME/.nix-profile/include/m.h" ] || fail "second output not linked"
prev=$(readlink -f "$HOME/.nix-profile")
ne "${F[@]}" -r -iA hello2 2>/dev/null
[ "$(ne -q)" = hello-2.0 ] || fail "--remove-all"
ne "${F[@]}" -iA hello --preserve-installed 2>/dev/null && fail "two hello at one priority: no conflict"
ne --set-flag priority 4 hello 2>/dev/null || fail "set-flag on hello-2.0"
ne "${F[@]}" -iA hello --preserve-installed 2>/dev/null || fail "--preserve-installed"
[ "$(ne -q | tr '\n' ' ')" = "hello-1.0 hello-2.0 " ] || fail "--preserve-installed: both installed"
[ "$("$HOME/.nix-profile/bin/hello" | tail -1)" = "hello 2.0" ] || fail "--preserve-installed: priority"
ne -p "$tmp/setprof" --set "$prev" 2>/dev/null
[ "$(readlink -f "$tmp/setprof")" = "$prev" ] || fail "--set"
ne -p "$tmp/fromprof" -i --from-profile "$tmp/setprof" foo 2>/dev/null
[ "$(ne -p "$tmp/fromprof" -q)" = foo-0.1 ] || fail "--from-profile"
ok

# 8. Upgrade modes and store paths as arguments; Nix 2.8 agrees on the resulting environments.
for mode in "" --leq --eq --always; do
  ne "${F[@]}" -p "$tmp/u$mode" -iA hello 2>/dev/null
  nix-env "${F[@]}" -p "$tmp/n$mode" -iA hello 2>/dev/null
  ne "${F[@]}" -p "$tmp/u$mode" -u $mode 2>"$tmp/err.u"
  nix-env "${F[@]}" -p "$tmp/n$mode" -u $mode 2>"$tmp/err.n"
  [ "$(readlink -f "$tmp/u$mode")" = "$(readlink -f "$tmp/n$mode")" ] || fail "-u $mode: environments differ"
  diff <(grep -v "^building\|will be built\|^  /" "$tmp/err.u") <(grep -v "^building\|will be built\|^  /" "$tmp/err.n") ||
    fail "-u $mode: messages differ"
done
out=$(nix-instantiate "$pkgs" --argstr tools "$tools" -A bar 2>/dev/null)
ne -p "$tmp/sp" -i "$out" 2>"$tmp/err"
nix-env -p "$tmp/sp2" -i "$out" 2>"$tmp/err.n"
[ "$(readlink -f "$tmp/sp")" = "$(readlink -f "$tmp/sp2")" ] || fail "install of a .drv differs from Nix 2.8"
ok

# 9. A new generation shares the links it has in common with the current one (hard links, as
# auto-optimise-store would make them); a link whose target changed is made anew. Both
# environments verify (nixpp and Nix 2.8), and the new one survives the old one's collection.
P9=$tmp/profiles/share
F9=("${F[@]}" --argstr salt share)  # packages of its own: no other profile holds these environments
ne "${F9[@]}" -p "$P9" -iA hello foo 2>/dev/null || fail "share: first install"
g1=$(readlink -f "$P9")
ne "${F9[@]}" -p "$P9" -iA bar 2>/dev/null || fail "share: second install"
g2=$(readlink -f "$P9")
[ "$g1" != "$g2" ] || fail "share: no new generation"
[ "$(stat -c %i "$g1/bin/foo")" = "$(stat -c %i "$g2/bin/foo")" ] || fail "share: bin/foo not shared"
[ "$(stat -c %h "$g2/bin/foo")" -ge 2 ] || fail "share: bin/foo link count"
[ "$(stat -c %h "$g2/bin/bar")" = 1 ] || fail "share: the new package's link is shared with something"
[ "$(stat -c %Y "$g2/bin/bar")" = 1 ] && [ "$(stat -c %a "$g2")" = 555 ] || fail "share: new links not canonical"
ne "${F9[@]}" -p "$P9" -iA hello2 2>/dev/null || fail "share: upgrade"
g3=$(readlink -f "$P9")
[ "$(stat -c %i "$g2/bin/hello")" != "$(stat -c %i "$g3/bin/hello")" ] || fail "share: a changed link was shared"
[ "$("$P9/bin/hello" | tail -1)" = "hello 2.0" ] || fail "share: upgraded hello"
[ "$(stat -c %i "$g2/bin/foo")" = "$(stat -c %i "$g3/bin/foo")" ] || fail "share: bin/foo not shared again"
for g in "$g1" "$g2" "$g3"; do
  "$NIXPP_BIN/nix-store" --verify-path "$g" 2>/dev/null || fail "share: nixpp --verify-path $g"
  nix-store --verify-path "$g" 2>/dev/null || fail "share: Nix 2.8 --verify-path $g"
done
ne -p "$P9" --delete-generations old 2>/dev/null
"$NIXPP_BIN/nix-store" --delete "$g1" "$g2" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "share: deleting the old generations"; }
[ ! -e "$g1" ] && [ "$("$P9/bin/foo")" = foo ] || fail "share: the new generation lost a shared link"
nix-store --verify --check-contents 2>&1 | { ! grep -q -e modified -e disappeared; } || fail "share: store damaged"
ok

echo "profiles: $pass groups passed"
