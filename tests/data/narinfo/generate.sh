#!/usr/bin/env bash
# Regenerates the .narinfo / nix-cache-info vectors in this folder and the signature vectors in
# ../signature with the Nix 2.8 oracle. Not needed to run the tests, which read only the committed
# files. Uses a throwaway config, state and store root; never /nix.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
sigdir=$here/../signature
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log HOME=$tmp/home
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nexperimental-features = nix-command\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
store="local?root=$tmp/root"

# A key pair (ed25519 is deterministic: the same key signs the same fingerprint identically).
nix-store --generate-binary-cache-key test-key-1 "$sigdir/test-key-1.sec" "$sigdir/test-key-1.pub"
nix-store --generate-binary-cache-key other-key "$sigdir/other-key.sec" "$sigdir/other-key.pub"

# Paths: a flat file and a directory added with nix-store --add (CA fixed:r), text files made by
# builtins.toFile with references (CA text), and a path registered with a deriver.
printf 'hello\n' > "$tmp/hello.txt"
mkdir -p "$tmp/dir/sub"; printf 'a\n' > "$tmp/dir/a"; printf '#!/bin/sh\n' > "$tmp/dir/sub/x"
chmod +x "$tmp/dir/sub/x"; ln -s a "$tmp/dir/link"
hello=$(nix-store --store "$store" --add "$tmp/hello.txt")
dir=$(nix-store --store "$store" --add "$tmp/dir")
t1=$(nix-instantiate --store "$store" --read-write-mode --eval --argstr h "$hello" \
  --expr '{ h }: builtins.toFile "t1" "see ${builtins.storePath h}"' | tr -d '"')
t2=$(nix-instantiate --store "$store" --read-write-mode --eval --argstr h "$hello" --argstr d "$dir" \
  --argstr t "$t1" --expr '{ h, d, t }: with builtins; toFile "t2" "${storePath h} ${storePath d} ${storePath t}"' \
  | tr -d '"')
# A path with a deriver and a self-reference, imported from a hand-made export stream (nix-store
# --import; --register-validity does not work with a chroot store in 2.8).
reg=/nix/store/4y2fl2rqgy5gnibq4qg2xqw8z5nl6n8f-registered
printf 'registered %s\n' "$reg" > "$tmp/registered"
nix-store --dump "$tmp/registered" > "$tmp/registered.nar"
python3 - "$tmp/registered.nar" "$reg" "$hello" /nix/store/a5lzl0mx0mqqyiblzb52jgqvxjsjdqsb-thing.drv \
  > "$tmp/registered.export" <<'PY'
import struct, sys
nar, path, ref, drv = sys.argv[1:5]
out = sys.stdout.buffer
def u64(n): out.write(struct.pack('<Q', n))
def s(b):
    b = b.encode() if isinstance(b, str) else b
    u64(len(b)); out.write(b); out.write(b'\0' * (-len(b) % 8))
u64(1); out.write(open(nar, 'rb').read()); u64(0x4558494e); s(path)
u64(2); s(ref); s(path); s(drv); u64(0); u64(0)
PY
nix-store --store "$store" --import < "$tmp/registered.export" >/dev/null
all="$hello $dir $t1 $t2 $reg"

# Unsigned, uncompressed cache; xz-compressed cache; signed cache.
nix copy --from "$store" --to "file://$tmp/plain?compression=none" $all
nix copy --from "$store" --to "file://$tmp/xz?compression=xz" $all
nix copy --from "$store" --to "file://$tmp/signed?compression=none&secret-key=$sigdir/test-key-1.sec" $all
# A path with two signatures: sign in the store with both keys, then copy.
nix store sign --store "$store" -k "$sigdir/test-key-1.sec" "$t2"
nix store sign --store "$store" -k "$sigdir/other-key.sec" "$t2"
nix copy --from "$store" --to "file://$tmp/twosigs?compression=none" "$t2"

cp "$tmp/plain/nix-cache-info" "$here/nix-cache-info"
rm -f "$here"/*.narinfo
for p in $all; do
  h=$(basename "$p" | cut -c1-32); n=$(basename "$p" | cut -c34-)
  cp "$tmp/plain/$h.narinfo" "$here/$n.none.narinfo"
  cp "$tmp/xz/$h.narinfo" "$here/$n.xz.narinfo"
  cp "$tmp/signed/$h.narinfo" "$here/$n.signed.narinfo"
done
h=$(basename "$t2" | cut -c1-32)
cp "$tmp/twosigs/$h.narinfo" "$here/t2.twosigs.narinfo"
