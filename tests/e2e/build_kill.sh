#!/usr/bin/env bash
# kill -9 of nixpp at random moments of builds (while the builder runs, while the outputs are
# canonicalised, hashed, synced, moved and registered) never leaves a valid path whose contents
# do not match its recorded NAR hash: after each kill, nixpp's and Nix 2.8's `nix-store --verify
# --check-contents` are clean, and the next build of the same derivation succeeds with the same
# contents as an undisturbed build. Also: --repair-path / --verify --check-contents --repair /
# --realise --repair rebuild a corrupted output and swap it in.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'jobs -p | xargs -r kill -9 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = true\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
S="local?root=$tmp/root"
ns() { "$NIXPP_BIN/nix-store" --store "$S" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v nix-instantiate >/dev/null && [ -x /bin/busybox ] || fail "needs Nix 2.8 and busybox-static"
iterations=${NIXPP_KILL_ITERATIONS:-20}   # 30 for a longer run

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir seq echo head; do ln -s busybox "$tmp/tools/bin/$a"; done
tools=$(nix-store --store "$S" --add "$tmp/tools")
# N derivations writing 300 small files and a 1 MB one each (salted: every one is new).
drvs=$(nix-instantiate --store "$S" -E "
  let tools = builtins.storePath \"$tools\"; in
  map (i: derivation { name = \"many-\${toString i}\"; system = \"x86_64-linux\";
    builder = \"\${tools}/bin/sh\"; salt = i;
    args = [ \"-c\" ''export PATH=\${tools}/bin; mkdir -p \$out/d
      for f in \$(seq 1 300); do echo \"file \$f\" > \$out/d/\$f; done
      head -c 1000000 /dev/zero > \$out/big; echo done'' ]; })
    (builtins.genList (i: i) $((iterations + 1)))" 2>/dev/null)
drvs=($drvs)
[ ${#drvs[@]} = $((iterations + 1)) ] || fail "instantiation"

verify_clean() {
  ns --verify --check-contents >"$tmp/v" 2>&1 || { cat "$tmp/v"; fail "nixpp --verify after kill $1"; }
  ! grep -Eq "modified|disappeared" "$tmp/v" || { cat "$tmp/v"; fail "nixpp --verify reports damage after kill $1"; }
  nix-store --store "$S" --verify --check-contents >"$tmp/v" 2>&1 || { cat "$tmp/v"; fail "Nix 2.8 --verify after kill $1"; }
  ! grep -Eq "modified|disappeared" "$tmp/v" || { cat "$tmp/v"; fail "Nix 2.8 --verify reports damage after kill $1"; }
}

# An undisturbed build: how long it takes, and the contents every build must produce.
t0=$(date +%s%N)
ref=$(ns -r "${drvs[0]}" 2>/dev/null) || fail "reference build"
t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000000 ))   # ms
[ $span -gt 0 ] || span=1
refhash=$(ns -q --hash "$ref")

killed_valid=0 killed_invalid=0
for i in $(seq 1 "$iterations"); do
  d=${drvs[$i]}
  "$NIXPP_BIN/nix-store" --store "$S" -r "$d" >/dev/null 2>&1 & pid=$!   # the process itself, not a subshell
  # A random moment within (and a little past) an undisturbed build's duration.
  delay=$(( RANDOM % (span + span / 4 + 1) ))
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  out=$(ns -q --outputs "$d")
  # The builder dies with nixpp (it would go on writing into the chroot that the next build
  # deletes): soon no process has the output in its environment.
  for ((t = 0; t < 100; t++)); do
    grep -qsaz "^out=$out\$" /proc/[0-9]*/environ || break
    sleep 0.1
  done
  ! grep -qsaz "^out=$out\$" /proc/[0-9]*/environ || fail "builder still running 10 s after kill $i"
  if ns -q --hash "$out" >/dev/null 2>&1; then killed_valid=$((killed_valid + 1)); else killed_invalid=$((killed_invalid + 1)); fi
  verify_clean "$i"
  # The next build succeeds and gives what an undisturbed build gives (all but the name).
  out2=$(ns -r "$d" 2>"$tmp/err") || { cat "$tmp/err"; fail "build after kill $i"; }
  [ "$out2" = "$out" ] || fail "output path after kill $i"
  [ "$(ls "$tmp/root$out/d" | wc -l)" = 300 ] || fail "contents after kill $i"
  cmp -s "$tmp/root$out/big" "$tmp/root$ref/big" || fail "big file after kill $i"
done
verify_clean final
echo "kills: $killed_invalid before registration, $killed_valid after (build span ${span} ms)"
[ $killed_invalid -gt 0 ] || fail "no kill landed before registration (delays too long?)"

# Repair: corrupt an output, then each repair entry point rebuilds and swaps it in.
corrupt() { chmod u+w "$tmp/root$ref/d" "$tmp/root$ref/d/7"; echo tampered > "$tmp/root$ref/d/7"; }
corrupt
ns --verify --check-contents >/dev/null 2>&1 && fail "corruption not detected"
ns --repair-path "$ref" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "--repair-path"; }
grep -q "repairing outputs of '${drvs[0]}'" "$tmp/err" || fail "--repair-path message"
[ "$(cat "$tmp/root$ref/d/7")" = "file 7" ] || fail "--repair-path did not restore the contents"
[ "$(ns -q --hash "$ref")" = "$refhash" ] || fail "hash after repair"
verify_clean repair-path
corrupt
ns --verify --check-contents --repair >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "--verify --repair"; }
[ "$(cat "$tmp/root$ref/d/7")" = "file 7" ] || fail "--verify --repair did not restore the contents"
verify_clean verify-repair
corrupt
[ "$(ns -r --repair "${drvs[0]}" 2>/dev/null)" = "$ref" ] || fail "--realise --repair"
[ "$(cat "$tmp/root$ref/d/7")" = "file 7" ] || fail "--realise --repair did not restore the contents"
verify_clean realise-repair
# An intact path is left alone; a source path cannot be repaired (no substituters): an error.
ns --repair-path "$ref" 2>"$tmp/err" || fail "--repair-path of an intact path"
! grep -q repairing "$tmp/err" || fail "intact path rebuilt"
chmod u+w "$tmp/root$tools/bin"; echo x > "$tmp/root$tools/bin/extra"
err=$(ns --repair-path "$tools" 2>&1) && fail "repaired a source path"
[ "$err" = "error: cannot repair path '$tools'" ] || fail "source repair message: $err"
err=$(ns --verify --check-contents --repair 2>&1) && fail "--verify --repair succeeded on a source path"
[[ $err == *"error: cannot repair path '$tools'"*"warning: not all store errors were fixed"* ]] || fail "verify repair: $err"
echo "build_kill: $iterations kills, repairs ok"
