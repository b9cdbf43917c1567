#!/usr/bin/env bash
# Runtime roots: store paths that running processes use keep their closure through a
# collection, with no root holding them — a program started from a store path (/proc/PID/exe),
# a working directory (cwd), an open file (fd), a mapped library (maps) and an environment
# variable (environ) — and are freed by the next collection once the processes exit. Nix 2.8
# sees the same runtime roots. A plain store in a temp dir, so that the store paths' names are
# this test's own.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"
}
trap cleanup EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STORE_DIR=$tmp/store NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR" "$tmp/w"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
ns() { "$NIXPP_BIN/nix-store" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
w=$tmp/w
salt=$RANDOM$RANDOM

# A program whose store path refers to another (its closure): a copy of sleep, and a data file
# naming the dependency, built by Nix 2.8 so that the reference is registered.
echo "dep $salt" > "$w/dep"; dep=$(ns --add "$w/dep")
cat > "$w/prog.nix" <<EOF
derivation { name = "prog"; system = "x86_64-linux"; builder = "/bin/sh";
  args = [ "-c" "export PATH=/usr/bin:/bin; mkdir -p \$out/bin; cp $(readlink -f "$(command -v sleep)") \$out/bin/sleeper; echo $salt \${builtins.storePath "$dep"} > \$out/dep" ]; }
EOF
prog=$(nix-store -r "$(nix-instantiate "$w/prog.nix" 2>/dev/null)" 2>/dev/null)
ns -q --references "$prog" | grep -x "$dep" >/dev/null || fail "test setup: the program does not refer to its dependency"
# Paths used in the other ways.
mkdir "$w/cwd"; echo "c $salt" > "$w/cwd/f"; pcwd=$(ns --add "$w/cwd")
echo "fd $salt" > "$w/fd"; pfd=$(ns --add "$w/fd")
echo "env $salt" > "$w/env"; penv=$(ns --add "$w/env")
cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$w/libc-copy.so"; pmap=$(ns --add "$w/libc-copy.so")
rm -f "$tmp/state/gcroots/profiles"  # no roots at all besides the processes

"$prog/bin/sleeper" 300 & pids+=($!)
(cd "$pcwd" && exec sleep 300) & pids+=($!)
sleep 300 < "$pfd" & pids+=($!)
env "HOLD=$penv" sleep 300 & pids+=($!)
# A mapped file: LD_PRELOAD of the copied libc maps it into the process.
LD_PRELOAD=$pmap sleep 300 & pids+=($!)
sleep 0.3

live=$(ns --gc --print-live 2>/dev/null)
for p in "$prog" "$dep" "$pcwd" "$pfd" "$penv" "$pmap"; do
  grep -qx "$p" <<< "$live" || fail "'$p' used by a process is not live"
done
roots=$(ns --gc --print-roots 2>/dev/null)
grep -qx "/proc/${pids[0]}/exe -> $prog" <<< "$roots" || fail "no exe root: $roots"
grep -qx "/proc/${pids[1]}/cwd -> $pcwd" <<< "$roots" || fail "no cwd root"
grep -qx "/proc/${pids[2]}/fd/0 -> $pfd" <<< "$roots" || fail "no fd root"
grep -qx "/proc/${pids[3]}/environ -> $penv" <<< "$roots" || fail "no environ root"
grep -qx "/proc/${pids[4]}/maps -> $pmap" <<< "$roots" || fail "no maps root"
# Nix 2.8 sees the same runtime roots of these processes.
for pid in "${pids[@]}"; do
  diff <(grep "^/proc/$pid/" <<< "$roots" | sort) \
       <(nix-store --gc --print-roots 2>/dev/null | grep "^/proc/$pid/" | sort) || fail "runtime roots of $pid differ from Nix 2.8"
done

# A collection keeps all of them, and the program keeps running.
ns --gc > "$tmp/out" 2>/dev/null
for p in "$prog" "$dep" "$pcwd" "$pfd" "$penv" "$pmap"; do
  [ -e "$p" ] && ns -q --hash "$p" >/dev/null || fail "'$p' collected while in use"
done
kill -0 "${pids[0]}" || fail "the program died"
ns --verify --check-contents 2>/dev/null || fail "store damaged"

# Once they exit, the next collection frees them all.
for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
{ wait; } 2>/dev/null || true
pids=()
ns --gc > "$tmp/out" 2>/dev/null
for p in "$prog" "$dep" "$pcwd" "$pfd" "$penv" "$pmap"; do
  [ ! -e "$p" ] || fail "'$p' not freed after its process exited"
done
grep -q "^[1-9][0-9]* store paths deleted" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
echo "gc_runtime: ok"
