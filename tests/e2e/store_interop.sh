#!/usr/bin/env bash
# nixpp's local store and Nix 2.8's read each other: same paths for the same inputs, same query
# output on the same store contents, both directions of the database.
set -euo pipefail
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc; mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nexperimental-features = nix-command\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
ours="$NIXPP_BIN/nix-store"; oursNix="$NIXPP_BIN/nix"
A="local?root=$tmp/a"; B="local?root=$tmp/b"
fail() { echo "FAIL: $*" >&2; exit 1; }
same() { [[ "$1" == "$2" ]] || { diff <(echo "$1") <(echo "$2") >&2; fail "$3"; }; }

cd "$tmp"
echo hello > f; mkdir d; echo a > d/a; chmod +x d/a; ln -s a d/l; mkdir d/sub; printf 'x%.0s' {1..5000} > d/sub/big; echo x > g

# 1. Same paths as Nix 2.8 for --add and --add-fixed (flat and recursive, several algorithms).
for args in "--add f d" "--add-fixed sha1 g" "--add-fixed sha256 f" "--add-fixed --recursive sha512 d" "--add-fixed md5 g"; do
  same "$($ours --store "$A" $args)" "$(nix-store --store "$B" $args)" "paths of nix-store $args"
done

# 2. Nix 2.8 reads our database: every query answers as it does on its own store.
F=$($ours --store "$A" --add f); D=$($ours --store "$A" --add d)
# paths with references, made by Nix 2.8 itself in store B, imported into ours via export/import
T1=$(nix --store "$B" eval --impure --raw --expr "builtins.toFile \"t1\" \"\${builtins.storePath $F} \${builtins.storePath $D}\"")
T2=$(nix --store "$B" eval --impure --raw --expr "builtins.toFile \"t2\" \"\${builtins.storePath $T1} \${builtins.storePath $F}\"")
nix-store --store "$B" --export "$T2" "$T1" > exp
same "$($ours --store "$A" --import < exp)" "$(printf '%s\n' "$T1" "$T2")" "import prints the imported paths"
for q in "--references $T2 $T1" "-R $T2" "--referrers $F" "--referrers-closure $F" "--tree $T2" "--graph $T2" \
         "--hash $T2 $F $D" "--size $T2 $D" "--deriver $F" "--outputs $T2" "--requisites $D"; do
  want=$(nix-store --store "$B" -q $q)
  same "$($ours --store "$A" -q $q)" "$want" "nixpp -q $q on our store"
  same "$(nix-store --store "$A" -q $q)" "$want" "Nix 2.8 -q $q on our store"
done
same "$($ours --store "$A" --dump-db $T2 $T1 $F $D)" "$(nix-store --store "$B" --dump-db $T2 $T1 $F $D)" "--dump-db"
nix-store --store "$A" --verify --check-contents 2>/dev/null || fail "Nix 2.8 finds our store inconsistent"
[[ $(cat "$tmp/a/nix/var/nix/db/schema") == 10 ]] || fail "schema version"
[[ $(sqlite3 "$tmp/a/nix/var/nix/db/db.sqlite" 'pragma journal_mode') == wal ]] || fail "WAL mode"

# 3. We read Nix 2.8's database and contents.
$ours --store "$B" --verify --check-contents 2>/dev/null || fail "nixpp finds Nix's store inconsistent"
same "$($ours --store "$B" -q -R "$T2")" "$(nix-store --store "$B" -q -R "$T2")" "nixpp -R on Nix's store"
same "$($ours --store "$B" --export "$T2" | sha256sum)" "$(nix-store --store "$B" --export "$T2" | sha256sum)" "--export bytes"
same "$($ours --store "$B" --dump-db)" "$(nix-store --store "$B" --dump-db)" "--dump-db of Nix's whole store"

# 4. nix path-info and nix store, as Nix 2.8 prints them.
for args in "$T2 $F" "-r $T2" "-sS $T2 $F" "--json $T2 $F" "--json -r -S $T1"; do
  same "$($oursNix path-info --store "$B" $args)" "$(nix path-info --store "$B" $args)" "nix path-info $args"
done
same "$($oursNix store cat --store "$B" "$T1")" "$(nix store cat --store "$B" "$T1")" "nix store cat"
same "$($oursNix store add-file --store "$A" g)" "$(nix store add-file --store "$B" g)" "nix store add-file"
same "$($oursNix store add-path --store "$A" --name foo d)" "$(nix store add-path --store "$B" --name foo d)" "nix store add-path"

# 5. --load-db registers what --dump-db printed (contents copied as they are).
mkdir -p "$tmp/c/nix/store"
for p in $F $D; do cp -a "$tmp/a$p" "$tmp/c$p"; done
$ours --store "$A" --dump-db $F $D | $ours --store "local?root=$tmp/c" --load-db
same "$(nix-store --store "local?root=$tmp/c" -q --hash $F $D)" "$(nix-store --store "$B" -q --hash $F $D)" "--load-db"

# 6. Errors in Nix's words.
err=$($ours --store "$A" -q --references /nix/store/00000000000000000000000000000000-x 2>&1) && fail "invalid path accepted"
same "$err" "error: path '/nix/store/00000000000000000000000000000000-x' is not valid" "invalid path message"
err=$($ours --store "$A" -q --references /tmp 2>&1) && fail "non-store path accepted"
same "$err" "error: path '/tmp' is not in the Nix store" "non-store path message"
err=$($ours --store "$A" --add-fixed foo g 2>&1) && fail "bad algo accepted"
same "$err" "$(nix-store --store "$B" --add-fixed foo g 2>&1)" "unknown algorithm message"
err=$($ours --store "ssh://host" -q --hash $F 2>&1) && fail "ssh store accepted"
[[ $err == *"not supported yet"* ]] || fail "unsupported store message: $err"
echo OK
