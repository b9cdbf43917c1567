#!/usr/bin/env bash
# Checks that nixpp's layers depend only downwards (DEVELOPERS.md):
#   cli -> glue -> store, expr -> format, sys -> util
# and that the pure layers (util, format) make no system calls.
set -euo pipefail
src=${1:-$(dirname "$0")/../src}
fail=0

allowed() {  # allowed() LAYER -> the layers it may include
  case $1 in
    util) echo "util" ;;
    format) echo "util format" ;;
    sys) echo "util sys" ;;
    store) echo "util format sys store" ;;
    expr) echo "util format sys expr" ;;
    glue) echo "util format sys store expr glue" ;;
    cli) echo "util format sys store expr glue cli" ;;
    *) echo "" ;;
  esac
}

for dir in "$src"/*/; do
  layer=$(basename "$dir")
  ok=" $(allowed "$layer") "
  if [ "$ok" = "  " ]; then
    echo "unknown layer folder: src/$layer"; fail=1; continue
  fi
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(sed -E 's/.*#include "([^/"]+)\/.*/\1/' <<<"$line")
    case "$ok" in
      *" $inc "*) ;;
      *) echo "layer violation: ${file#$src/} includes \"$inc/...\""; fail=1 ;;
    esac
  done < <(grep -rHE '^\s*#\s*include\s+"[^/"]+/' "$dir" --include='*.h' --include='*.cc' || true)
done

# The pure layers: no system headers, no direct system calls. (Tests may use the file system.)
syshdr='#\s*include\s*<(unistd\.h|fcntl\.h|dirent\.h|sys/[^>]*|fstream|filesystem|cstdio|stdio\.h|netdb\.h|poll\.h|signal\.h|csignal|thread)>'
for layer in util format; do
  while IFS= read -r hit; do
    echo "system call in pure layer: $hit"; fail=1
  done < <(grep -rnE "$syshdr" "$src/$layer" --include='*.h' --include='*.cc' | grep -v '_test\.cc:' || true)
done

# And in the compiled code: no libc system-call wrappers among the pure layers' undefined symbols.
build=${2:-}
if [ -n "$build" ]; then
  calls='open|open64|openat|openat64|read|write|pread64|pwrite64|close|stat|stat64|lstat|lstat64|fstat|fstat64|fstatat|fstatat64|mkdir|mkdirat|unlink|unlinkat|rename|renameat|fork|vfork|execve|execvp|execv|getenv|secure_getenv|system|popen|fopen|fopen64|opendir|readdir|readdir64|socket|connect|mmap|mmap64|chmod|chown|symlink|readlink|clone|kill|getpid|time|clock_gettime'
  for layer in util format; do
    lib="$build/libnixpp_$layer.a"
    [ -f "$lib" ] || continue
    bad=$(nm -u "$lib" 2>/dev/null | awk '{print $2}' | sed 's/@.*//' | grep -xE "$calls" | sort -u || true)
    if [ -n "$bad" ]; then
      echo "system call in pure layer $layer: $(echo $bad)"; fail=1
    fi
  done
fi

if [ $fail -ne 0 ]; then echo "layer check FAILED"; exit 1; fi
echo "layer check passed"
