# Sourced by the pkgs_* e2e tests. First, the test re-runs itself in a private mount namespace
# (unshare -m as root, CI's case; unshare -rm, a user namespace, otherwise) where the host's
# toolchain is unreachable: gcc, cc, c++, cpp, clang, ld, as, ar, nm, strip, make, tclsh, ... in
# /usr/bin are covered by an empty file without permissions, /usr/include, /usr/lib/gcc,
# /usr/lib/llvm-*, Tcl's library and glibc's crt files and linker scripts by empty read-only
# tmpfs / files. The host's /usr is not changed: the mounts die with the test. Every package the
# pkgs_* tests build is thereby shown to build with nothing of the host's toolchain (the builds'
# own sandbox shows them no /usr at all; this proves it from outside), and check_host_toolchain_hidden
# is the control that the host's tools are really unreachable.
# Then it fills (or finds filled) the hashed source mirror, makes a throwaway store under a temp
# dir ($tmp, removed on exit) with the sandbox on and nix.conf's hashed-mirrors pointing at the
# mirror; cds there and sets $pkgs to the collection. Needs NIXPP_SRC; defines fail, build, check,
# want and check_host_toolchain_hidden.
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ -z "${NIXPP_PKGS_NAMESPACE:-}" ]; then
  export NIXPP_PKGS_NAMESPACE=1
  if [ "$(id -u)" = 0 ]; then exec unshare -m --propagation private bash "$0" "$@"
  else exec unshare -r -m --propagation private bash "$0" "$@"
  fi
  fail "unshare -m failed: cannot hide the host's toolchain"
fi

# The host's toolchain, covered.
host_tools=()
for f in /usr/bin/{gcc,gcc-[0-9]*,g++,g++-[0-9]*,cc,c++,cpp,cpp-[0-9]*,clang,clang-[0-9]*,clang++,clang++-[0-9]*} \
         /usr/bin/{ld,ld.bfd,ld.gold,ld.lld,as,ar,nm,ranlib,strip,objcopy,objdump,readelf,make,gmake} \
         /usr/bin/{gcc-ar,gcc-nm,gcc-ranlib,tclsh,tclsh8.*,x86_64-linux-gnu-*} \
         /usr/local/bin/{gcc,cc,c++,clang,ld,as,make}; do
  # Never the dynamic linker or a library (a symlink is covered where it leads).
  case $(readlink -f "$f") in *ld-linux*|*.so|*.so.*) continue ;; esac
  [ -e "$f" ] && host_tools+=("$f")
done
nothing=$(mktemp)
chmod 000 "$nothing"
declare -A covered=()   # each file once (covering a covered file would pin $nothing's dentry)
for f in "${host_tools[@]}" /usr/lib/x86_64-linux-gnu/{crt1.o,crti.o,crtn.o,Scrt1.o,gcrt1.o,libc.so,libc.a,libc_nonshared.a,libtcl8.6.so}; do
  [ -e "$f" ] || continue
  r=$(readlink -f "$f")
  [ -z "${covered[$r]:-}" ] || continue
  covered[$r]=1
  mount --bind "$nothing" "$r" || fail "cannot cover $f"
done
rm -f "$nothing"
for d in /usr/include /usr/lib/gcc /usr/libexec/gcc /usr/lib/llvm-* /usr/share/tcltk /usr/lib/tcl8.6; do
  [ -d "$d" ] && { mount -t tmpfs -o ro,size=4k,mode=0755 nixpp-no-host-toolchain "$d" || fail "cannot cover $d"; }
done

# check_host_toolchain_hidden: the control: none of the host's compilers, linkers, make or
# tclsh runs, and there are no headers, gcc internals or crt files to use.
check_host_toolchain_hidden() {
  local t
  for t in "${host_tools[@]}"; do
    if "$t" --version >/dev/null 2>&1; then fail "the host's $t still runs"; fi
    [ ! -s "$t" ] || fail "the host's $t still has contents"
  done
  for t in gcc cc make ld as tclsh; do
    if command -v "$t" >/dev/null && "$t" --version >/dev/null 2>&1 </dev/null; then fail "'$t' from PATH still runs"; fi
  done
  [ ! -e /usr/include/stdio.h ] || fail "the host's /usr/include/stdio.h is visible"
  [ -z "$(ls -A /usr/lib/gcc)" ] || fail "the host's /usr/lib/gcc is visible"
  [ ! -s /usr/lib/x86_64-linux-gnu/crt1.o ] || fail "the host's crt1.o is visible"
  echo "host toolchain hidden: ${#host_tools[@]} programs (${#covered[@]} files), headers, gcc's and tcl's libraries, crt files"
}
check_host_toolchain_hidden

mirror=/var/cache/nixpp/mirror   # scripts/fill-mirror.sh's default
[ "$(id -u)" = 0 ] || mirror=${XDG_CACHE_HOME:-$HOME/.cache}/nixpp/mirror
mirror=${NIXPP_MIRROR:-$mirror}

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

# build ATTR: nix-build -A ATTR into ./ATTR, timed; the closure must be store paths only, and not
# keep glibc's development files (the compiler's sysroot).
build() {
  local start
  start=$(date +%s)
  "$NIXPP_BIN/nix-build" "$pkgs" -A "$1" -o "$1" >"$tmp/$1.log" 2>&1 || { tail -30 "$tmp/$1.log"; fail "nix-build -A $1 failed"; }
  echo "$1: $(( $(date +%s) - start )) s"
  "$NIXPP_BIN/nix-store" -qR "./$1" | while read -r p; do
    case $p in "$NIX_STORE_DIR"/*) ;; *) fail "$1: closure entry '$p' is not a store path" ;; esac
    case $p in *-glibc-dev-*) fail "$1 keeps glibc's development files ($p)" ;; esac
  done
}

# check ATTR...: rebuilds each with nix-build --check (their inputs are not rebuilt): every output
# must be bit-for-bit the first build's.
check() {
  local a start
  for a in "$@"; do
    start=$(date +%s)
    "$NIXPP_BIN/nix-build" "$pkgs" -A "$a" --check --no-out-link >"$tmp/$a.check.log" 2>&1 ||
      { tail -20 "$tmp/$a.check.log"; fail "$a is not deterministic (nix-build --check)"; }
    echo "$a --check: deterministic, $(( $(date +%s) - start )) s"
  done
}

# Builds the bootstrapped stdenv (no result link), printing the time it took.
bootstrapStdenv() {
  local start; start=$(date +%s)
  "$NIXPP_BIN/nix-build" "$pkgs" -A stdenv --no-out-link >"$tmp/bootstrap.log" 2>&1 || { tail -30 "$tmp/bootstrap.log"; fail "bootstrap failed"; }
  echo "bootstrap: $(( $(date +%s) - start )) s"
}
want() { [ -z "${PKGS_ONLY:-}" ] || [[ " $PKGS_ONLY " == *" $1 "* ]]; }
