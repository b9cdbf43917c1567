#!/usr/bin/env bash
# Regenerates the hash test vectors in this folder with the Nix 2.8 oracle (not needed to run the
# tests, which read only the committed files). Uses a throwaway config and state; never /nix.
#   encodings.tsv  algo, input bytes (hex), then the hash in base16, nix32, base64 and SRI
#                  (`nix hash file --type ALGO --base16|--base32|--base64|--sri`)
#   truncate.tsv   algo, input (hex), the hash folded to 160 bits (`nix-hash --flat --truncate`)
#   parse.tsv      type given ("-" for none), hash string, then "ok <SRI>" or "error <message>"
#                  (`nix hash to-sri [--type TYPE] STRING`, first line of the error)
#   cli.transcript every nix-hash / nix hash case of cli-cases.sh, as Nix 2.8 runs them
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nexperimental-features = nix-command\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# Inputs: empty, short, on and around the 55/56/64-byte block boundaries, every byte value.
inputs=()
mk() { local f=$tmp/in${#inputs[@]}; printf "$1" > "$f"; inputs+=("$f"); }
mk ''
mk 'a'
mk 'abc'
mk 'hello\n'
mk 'The quick brown fox jumps over the lazy dog'
mk 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'
mk "$(printf 'x%.0s' $(seq 1 55))"
mk "$(printf 'y%.0s' $(seq 1 64))"
mk "$(printf 'z%.0s' $(seq 1 1000))"
all=; for i in $(seq 0 255); do all+=$(printf '\\%03o' "$i"); done
mk "$all"

algos="md5 sha1 sha256 sha512"
: > "$here/encodings.tsv"
: > "$here/truncate.tsv"
for t in $algos; do
  for f in "${inputs[@]}"; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$(hex "$f")" \
      "$(nix hash file --type $t --base16 "$f")" "$(nix hash file --type $t --base32 "$f")" \
      "$(nix hash file --type $t --base64 "$f")" "$(nix hash file --type $t --sri "$f")" \
      >> "$here/encodings.tsv"
    printf '%s\t%s\t%s\n' "$t" "$(hex "$f")" "$(nix-hash --flat --truncate --type $t "$f")" \
      >> "$here/truncate.tsv"
  done
done

# Hash strings to parse: every encoding, prefixed, SRI and bare, and a table of malformed ones.
cases=()
for t in $algos; do
  f=${inputs[3]}
  b16=$(nix hash file --type $t --base16 "$f")
  b32=$(nix hash file --type $t --base32 "$f")
  b64=$(nix hash file --type $t --base64 "$f")
  up=$(tr a-f A-F <<< "$b16")
  for v in "$b16" "$up" "$b32" "$b64"; do
    cases+=("-	$t:$v" "$t	$t:$v" "$t	$v" "-	$v")
  done
  cases+=("-	$t-$b64" "$t	$t-$b64" "$t	$t-${b64%%=*}" "-	$t-${b64}=junk" "$t	$t-$b16")
  # Wrong lengths, bad characters, overflow, type mismatches.
  cases+=("$t	${b16:1}" "$t	${b16}0" "$t	g${b16:1}" "$t	${b32:1}" "$t	e${b32:1}"
          "$t	u${b32:1}" "$t	z${b32:1}" "$t	${b64:1}" "$t	!${b64:1}" "$t	$t-${b64:4}"
          "$t	$t-" "$t	$t:" "-	$t-!${b64:1}")
done
N=00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq
cases+=("sha256	2${N:1}" "sha256	1${N:1}" "sha1	md5:d41d8cd98f00b204e9800998ecf8427e"
        "-	foo:abc" "-	foo-abc" "-	SHA256:abc" "-	:abc" "-	-abc" "-	abc" "-	"
        "sha256	sha256:a:b" "sha256	sha256-ab-cd" "md5	sha1-sZRqySSS0jR8YjW00mERhA=="
        "-	sha1-sZRqySSS0jR8YjW00mERhA==")
: > "$here/parse.tsv"
for c in "${cases[@]}"; do
  t=${c%%	*}
  s=${c#*	}
  args=()
  [ "$t" = - ] || args=(--type "$t")
  if out=$(nix hash to-sri "${args[@]}" -- "$s" 2> "$tmp/err"); then
    printf '%s\t%s\tok %s\n' "$t" "$s" "$out" >> "$here/parse.tsv"
  else
    printf '%s\t%s\terror %s\n' "$t" "$s" "$(head -n1 "$tmp/err" | sed 's/^error: //')" \
      >> "$here/parse.tsv"
  fi
done

bash "$here/cli-cases.sh" oracle "$(dirname "$(command -v nix-hash)")" > "$here/cli.transcript"
