#!/usr/bin/env bash
# builtin:unpack-deb on a throwaway chroot store: the real busybox-static .deb (apt-get download,
# else the copy in apt's cache) unpacks into a tree whose bin/busybox runs; a .deb made here
# keeps directories, executable bits, symlink targets verbatim and hard links; malformed
# packages (truncated, not ar, not a .deb, bad tar, '../' and absolute entries, device nodes,
# writes through a symlink) fail with a clear error and leave no valid output.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = true\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
S="local?root=$tmp/root"
ns() { "$NIXPP_BIN/nix-store" --store "$S" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# unpack NAME DEBFILE [SYSTEM]: instantiates the derivation, prints its .drv path.
unpack() {
  local deb
  deb=$(ns --add "$2")
  "$NIXPP_BIN/nix-instantiate" --store "$S" -E "derivation { name = \"$1\"; system = \"${3:-x86_64-linux}\";
    builder = \"builtin:unpack-deb\"; src = builtins.storePath \"$deb\"; }" 2>/dev/null
}

# 1. The real busybox-static package.
debdir=$tmp/apt
mkdir -p "$debdir"
(cd "$debdir" && apt-get download busybox-static >/dev/null 2>&1) || true
deb=$(ls "$debdir"/busybox-static_*.deb /var/cache/apt/archives/busybox-static_*.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || fail "no busybox-static .deb (apt-get download busybox-static failed and apt's cache has none)"
cp "$deb" "$tmp/busybox-static.deb"
drv=$(unpack busybox-static-1.35.0 "$tmp/busybox-static.deb")
out=$(ns -r "$drv" 2>"$tmp/err") || { cat "$tmp/err"; fail "unpacking busybox-static"; }
[ -x "$tmp/root$out/bin/busybox" ] || fail "no executable bin/busybox"
[ "$("$tmp/root$out/bin/busybox" echo unpacked)" = unpacked ] || fail "busybox does not run"
[ -d "$tmp/root$out/usr/share/doc" ] || fail "no usr/share/doc"
# Canonical: read-only, mtime 1; the tree equals dpkg-deb's extraction.
[ "$(stat -c %Y "$tmp/root$out/bin/busybox")" = 1 ] || fail "mtime not canonical"
[ "$(stat -c %a "$tmp/root$out/bin/busybox")" = 555 ] || fail "mode not canonical"
if command -v dpkg-deb >/dev/null; then
  dpkg-deb -x "$tmp/busybox-static.deb" "$tmp/dpkg-x"
  diff -r "$tmp/dpkg-x" "$tmp/root$out" || fail "tree differs from dpkg-deb -x"
fi
ns --verify-path "$out" || fail "output does not verify"
# system = "builtin" is accepted as well.
drv=$(unpack busybox-builtin "$tmp/busybox-static.deb" builtin)
out=$(ns -r "$drv" 2>/dev/null) || fail "system = builtin"
[ -x "$tmp/root$out/bin/busybox" ] || fail "system = builtin: no busybox"

# mkdeb FILE COMPRESSION ENTRIES...: a .deb whose data.tar holds the entries, each
# "dir:NAME", "file:NAME:MODE:TEXT", "link:NAME:TARGET", "hard:NAME:TARGET", "chr:NAME",
# "fifo:NAME"; members written by hand as ar does.
mkdeb() {
  python3 - "$@" <<'PY'
import io, sys, tarfile, time
out, comp, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w:" + ("" if comp == "none" else comp), format=tarfile.GNU_FORMAT) as t:
    for e in entries:
        kind, rest = e.split(":", 1)
        if kind == "raw":
            continue
        ti = tarfile.TarInfo(rest.split(":")[0]); ti.mtime = int(time.time())
        if kind == "dir": ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti)
        elif kind == "file":
            name, mode, text = rest.split(":", 2); data = text.encode()
            ti.mode = int(mode, 8); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
        elif kind == "link": ti.type = tarfile.SYMTYPE; ti.linkname = rest.split(":", 1)[1]; t.addfile(ti)
        elif kind == "hard": ti.type = tarfile.LNKTYPE; ti.linkname = rest.split(":", 1)[1]; t.addfile(ti)
        elif kind == "chr": ti.type = tarfile.CHRTYPE; ti.devmajor = 1; ti.devminor = 3; t.addfile(ti)
        elif kind == "fifo": ti.type = tarfile.FIFOTYPE; t.addfile(ti)
data = buf.getvalue()
if "raw:garbage" in entries: data = b"\xfd7zXZ\x00 this is not xz at all" * 10
ext = {"none": "", "xz": ".xz", "gz": ".gz", "bz2": ".bz2"}[comp]
def member(name, body):
    h = name.ljust(16) + "0".ljust(12) + "0".ljust(6) + "0".ljust(6) + "100644".ljust(8) + str(len(body)).ljust(10) + "`\n"
    return h.encode() + body + (b"\n" if len(body) % 2 else b"")
with open(out, "wb") as f:
    f.write(b"!<arch>\n" + member("debian-binary", b"2.0\n") + member("control.tar.xz", b"x") + member("data.tar" + ext, data))
PY
}

# 2. A package made here: the kinds of entries a store path may hold, in each compression.
for comp in xz gz bz2 none; do
  mkdeb "$tmp/ok-$comp.deb" $comp dir:./ dir:./bin file:./bin/tool:755:'#!/bin/sh' file:./share/doc/readme:644:hello \
    link:./bin/abs:/usr/bin/env link:./bin/rel:tool link:./dangling:../../nowhere hard:./share/doc/again:./share/doc/readme
  drv=$(unpack "ok-$comp" "$tmp/ok-$comp.deb")
  out=$(ns -r "$drv" 2>"$tmp/err") || { cat "$tmp/err"; fail "unpacking a $comp package"; }
  o=$tmp/root$out
  [ -x "$o/bin/tool" ] && [ ! -x "$o/share/doc/readme" ] || fail "$comp: executable bits"
  [ "$(cat "$o/share/doc/readme")" = hello ] && [ "$(cat "$o/share/doc/again")" = hello ] || fail "$comp: contents"
  [ "$(readlink "$o/bin/abs")" = /usr/bin/env ] && [ "$(readlink "$o/bin/rel")" = tool ] || fail "$comp: symlink targets"
  [ "$(readlink "$o/dangling")" = ../../nowhere ] || fail "$comp: dangling symlink target"
done

# 3. Malformed packages: a clear error, a failed build, no valid output.
bad() {  # bad NAME DEBFILE EXPECTED-MESSAGE
  local drv out
  drv=$(unpack "$1" "$2")
  out=$(ns -q --outputs "$drv")
  if ns -r "$drv" >/dev/null 2>"$tmp/err"; then fail "$1: unpacked"; fi
  grep -q "cannot unpack Debian package" "$tmp/err" || { cat "$tmp/err"; fail "$1: no 'cannot unpack' error"; }
  grep -qF "$3" "$tmp/err" || { cat "$tmp/err"; fail "$1: expected '$3'"; }
  [ -z "${VERBOSE:-}" ] || grep "cannot unpack" "$tmp/err"
  if ns --check-validity "$out" 2>/dev/null; then fail "$1: output valid"; fi
}
head -c 100000 "$tmp/busybox-static.deb" > "$tmp/trunc.deb"
trunc=$(ns --add "$tmp/trunc.deb")
bad truncated "$tmp/trunc.deb" "cannot unpack Debian package '$trunc': bad tar archive of member 'data.tar.xz': truncated ar archive"
head -c 30 "$tmp/busybox-static.deb" > "$tmp/trunc-header.deb"
bad truncated-header "$tmp/trunc-header.deb" "truncated ar archive"
echo "this is not a Debian package" > "$tmp/text.deb"
bad not-ar "$tmp/text.deb" "not an ar archive"
: > "$tmp/empty.deb"
bad empty "$tmp/empty.deb" "not an ar archive"
mkdeb "$tmp/garbage.deb" xz raw:garbage
bad bad-tar "$tmp/garbage.deb" "member 'data.tar.xz'"
mkdeb "$tmp/dotdot.deb" gz dir:./ file:./../escape:644:x
bad dotdot "$tmp/dotdot.deb" "'..' component"
mkdeb "$tmp/abs.deb" gz file:/etc/evil:644:x
bad absolute "$tmp/abs.deb" "absolute path"
mkdeb "$tmp/dev.deb" gz dir:./ chr:./null
bad device "$tmp/dev.deb" "device nodes"
mkdeb "$tmp/fifo.deb" gz dir:./ fifo:./pipe
bad fifo "$tmp/fifo.deb" "device nodes, FIFOs"
mkdeb "$tmp/through.deb" gz link:./lnk:"$tmp" file:./lnk/planted:644:x
bad through-symlink "$tmp/through.deb" "is not a directory"
[ ! -e "$tmp/planted" ] || fail "wrote through a symlink"
python3 -c 'import sys; open(sys.argv[1],"wb").write(b"!<arch>\n" + b"data.tar.gz".ljust(16) + b"0".ljust(12)+b"0".ljust(6)+b"0".ljust(6)+b"100644".ljust(8)+b"2".ljust(10)+b"`\nxx")' "$tmp/nodebbin.deb"
bad no-debian-binary "$tmp/nodebbin.deb" "not 'debian-binary'"
echo "builtin_unpack_deb: all passed"
