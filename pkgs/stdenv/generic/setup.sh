# The generic builder of stdenv.mkDerivation, sourced by bash ($stdenv/setup).
# genericBuild runs the phases unpack patch configure build check install fixup (or $phases, or
# $buildCommand), each overridable by a variable of its name and wrapped in pre/post hooks.
# Inputs: $nativeBuildInputs, $buildInputs and what they propagate (nix-support/
# propagated-build-inputs) are added to PATH, NIX_CFLAGS_COMPILE and NIX_LDFLAGS by
# addInputPaths, and their nix-support/setup-hook is sourced.
# In nix-shell (IN_NIX_SHELL set), the shell's own options are restored at the end, so that an
# interactive shell does not exit at the first failing command or unset variable.
__setupOptions=$-
__setupNullglob=$(shopt -p nullglob || true)
set -eu -o pipefail
shopt -s nullglob

: "${outputs:=out}"
export NIX_CFLAGS_COMPILE="${NIX_CFLAGS_COMPILE:-}" NIX_LDFLAGS="${NIX_LDFLAGS:-}"
export SOURCE_DATE_EPOCH=315532800 LC_ALL=C TZ=UTC
export PATH=@initialPath@
export SHELL=@shell@ CONFIG_SHELL=@shell@
# There is no /bin/sh in the sandbox: every make, also those run by custom phases, uses bash.
export MAKEFLAGS="${MAKEFLAGS:+$MAKEFLAGS }SHELL=$SHELL"
NIX_BUILD_CORES=${NIX_BUILD_CORES:-1}
[ "$NIX_BUILD_CORES" -gt 0 ] 2>/dev/null || NIX_BUILD_CORES=1

# runHook NAME: runs the hook NAME: a function or a string to evaluate, if set.
runHook() {
  local hook=$1
  if declare -F "$hook" >/dev/null; then "$hook"
  elif [ -n "${!hook:-}" ]; then eval "${!hook}"
  fi
  return 0
}

# Hooks run for every input (the setup hooks of inputs may append functions to envHooks).
envHooks=()
addToSearchPath() { # VAR DIR
  [ -d "$2" ] || return 0
  export "$1=${!1:+${!1}:}$2"
}
addInputPaths() { # DEP
  local dep=$1
  [ -d "$dep/bin" ] && PATH="$dep/bin:$PATH"
  [ -d "$dep/include" ] && NIX_CFLAGS_COMPILE+=" -isystem $dep/include"
  if [ -d "$dep/lib" ]; then NIX_LDFLAGS+=" -L$dep/lib -Wl,-rpath,$dep/lib"; fi
  addToSearchPath PKG_CONFIG_PATH "$dep/lib/pkgconfig"
  addToSearchPath PKG_CONFIG_PATH "$dep/share/pkgconfig"
  local h
  for h in "${envHooks[@]}"; do "$h" "$dep"; done
}

# The inputs' closure under propagation, in order, each once.
declare -A seenInputs=()
allInputs=()
findInputs() { # DEP
  local dep=$1
  [ -n "${seenInputs[$dep]:-}" ] && return 0
  seenInputs[$dep]=1
  allInputs+=("$dep")
  if [ -f "$dep/nix-support/propagated-build-inputs" ]; then
    local p
    for p in $(< "$dep/nix-support/propagated-build-inputs"); do findInputs "$p"; done
  fi
}
for dep in ${nativeBuildInputs:-} ${buildInputs:-} ${propagatedBuildInputs:-} ${propagatedNativeBuildInputs:-}; do
  findInputs "$dep"
done
for dep in "${allInputs[@]}"; do
  [ -f "$dep/nix-support/setup-hook" ] && source "$dep/nix-support/setup-hook"
done
for dep in "${allInputs[@]}"; do addInputPaths "$dep"; done
export PATH

# Phases.
unpackFile() { # FILE
  case $1 in
    *.tar.xz|*.txz) tar xJf "$1" ;;
    *.tar.gz|*.tgz) tar xzf "$1" ;;
    *.tar.bz2|*.tbz2) tar xjf "$1" ;;
    *.tar) tar xf "$1" ;;
    *)
      if [ -d "$1" ]; then cp -r --no-preserve=mode "$1" "$(stripHash "$1")"
      else echo "unpackPhase: do not know how to unpack $1" >&2; return 1
      fi ;;
  esac
}
stripHash() { local b; b=$(basename "$1"); echo "${b#*-}"; }
unpackPhase() {
  runHook preUnpack
  local srcs_=${srcs:-${src:?neither src nor srcs is set}} before after f
  before=$(ls -A)
  for f in $srcs_; do unpackFile "$f"; done
  if [ -z "${sourceRoot:-}" ]; then
    after=$(comm -13 <(echo "$before") <(ls -A))
    if [ "$(echo "$after" | wc -l)" = 1 ] && [ -d "$after" ]; then sourceRoot=$after
    else echo "unpackPhase: the sources unpacked to ${after:-nothing}, not one directory; set sourceRoot" >&2; return 1
    fi
  fi
  chmod -R u+w "$sourceRoot"
  cd "$sourceRoot"
  runHook postUnpack
}
patchPhase() {
  runHook prePatch
  local p
  for p in ${patches:-}; do
    echo "applying patch $p"
    patch ${patchFlags:--p1} < "$p"
  done
  runHook postPatch
}
configurePhase() {
  runHook preConfigure
  : "${configureScript:=./configure}"
  if [ -x "$configureScript" ] || [ -f "$configureScript" ]; then
    local flags=()
    [ "${dontAddPrefix:-}" = 1 ] || flags+=("--prefix=$out")
    [ -n "${dev:-}" ] && flags+=("--includedir=$dev/include")
    [ -n "${man:-}" ] && flags+=("--mandir=$man/share/man" "--infodir=$man/share/info")
    [ -n "${lib:-}" ] && flags+=("--libdir=$lib/lib")
    [ "${dontDisableStatic:-}" = 1 ] || ! grep -q enable-static "$configureScript" || flags+=(--disable-static)
    patchShebangs "$configureScript"
    echo "configure flags: ${flags[*]} ${configureFlags:-}"
    # shellcheck disable=SC2086
    $SHELL "$configureScript" "${flags[@]}" ${configureFlags:-}
  else
    echo "no configure script, doing nothing"
  fi
  runHook postConfigure
}
buildPhase() {
  runHook preBuild
  if [ -f Makefile ] || [ -f makefile ] || [ -f GNUmakefile ] || [ -n "${makefile:-}" ]; then
    # shellcheck disable=SC2086
    make ${makefile:+-f $makefile} -j"$NIX_BUILD_CORES" SHELL="$SHELL" ${makeFlags:-} ${buildFlags:-}
  else
    echo "no Makefile, doing nothing"
  fi
  runHook postBuild
}
checkPhase() {
  runHook preCheck
  # shellcheck disable=SC2086
  make ${makefile:+-f $makefile} -j"$NIX_BUILD_CORES" SHELL="$SHELL" ${makeFlags:-} ${checkFlags:-} ${checkTarget:-check}
  runHook postCheck
}
installPhase() {
  runHook preInstall
  mkdir -p "$out"
  # shellcheck disable=SC2086
  make ${makefile:+-f $makefile} SHELL="$SHELL" ${makeFlags:-} ${installFlags:-} ${installTargets:-install}
  runHook postInstall
}

# patchShebangs PATH...: '#!/bin/sh', '#!/usr/bin/env perl', ... become store paths found on PATH.
patchShebangs() {
  local f line interp args new
  while IFS= read -r -d '' f; do
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    [ "$(head -c 2 "$f")" = "#!" ] || continue
    read -r line < "$f" || true
    interp=${line#\#!}; interp=${interp# }
    args=""
    [ "${interp%% *}" != "$interp" ] && args=" ${interp#* }"
    interp=${interp%% *}
    case $interp in "$NIX_STORE"/*|'') continue ;; esac
    if [ "$(basename "$interp")" = env ]; then
      new=$(type -P "${args# }" 2>/dev/null | head -1) || true; args=""
    else
      new=$(type -P "$(basename "$interp")" 2>/dev/null) || true
    fi
    [ -n "$new" ] || { echo "patchShebangs: $f: '$interp' not found in PATH" >&2; continue; }
    echo "patching script interpreter of $f: $interp -> $new"
    sed -i "1s|^#!.*|#!$new$args|" "$f"
  done < <(find "$@" -type f -perm -0100 -print0 2>/dev/null; for p in "$@"; do [ -f "$p" ] && printf '%s\0' "$p"; done)
}

# Moves what belongs to the dev/man/lib outputs out of $out when those outputs exist and the build
# put them there.
moveToOutput() { # PATTERN OUTPUT-DIR
  local src f
  for f in "$out"/$1; do
    [ -e "$f" ] || continue
    src=${f#"$out"/}
    mkdir -p "$2/$(dirname "$src")"
    mv "$f" "$2/$src"
  done
}
fixupPhase() {
  runHook preFixup
  if [ -n "${dev:-}" ]; then
    moveToOutput include "$dev"; moveToOutput "lib/pkgconfig" "$dev"; moveToOutput "share/aclocal" "$dev"
    moveToOutput "lib/*.a" "$dev"
  fi
  if [ -n "${man:-}" ]; then moveToOutput share/man "$man"; moveToOutput share/info "$man"; fi
  local o dir
  for o in $outputs; do
    dir=${!o}
    [ -d "$dir" ] || continue
    rm -f "$dir"/share/info/dir "$dir"/lib/*.la
    # Strip debug sections, shrink RUNPATHs to the directories that provide a needed library.
    [ "${dontStrip:-}" = 1 ] || find "$dir" -type f \( -perm -0100 -o -name '*.so*' -o -name '*.a' \) -print0 |
      while IFS= read -r -d '' f; do
        [ "$(head -c 4 "$f" | tail -c 3)" = ELF ] || [ "${f%.a}" != "$f" ] || continue
        strip -S -p "$f" 2>/dev/null || true
      done
    find "$dir" -type f \( -perm -0100 -o -name '*.so*' \) -print0 | while IFS= read -r -d '' f; do
      [ "$(head -c 4 "$f" | tail -c 3)" = ELF ] || continue
      patchelf --print-rpath "$f" >/dev/null 2>&1 || continue
      patchelf --shrink-rpath "$f"
    done
    [ "${dontPatchShebangs:-}" = 1 ] || { [ -d "$dir/bin" ] && patchShebangs "$dir/bin"; } || true
    # Inputs to propagate, and a setup hook for those who depend on this package.
    if [ "$o" = "${outputs%% *}" ] || [ "$o" = dev ]; then
      if [ -n "${propagatedBuildInputs:-}" ]; then
        mkdir -p "$dir/nix-support"
        echo "$propagatedBuildInputs" > "$dir/nix-support/propagated-build-inputs"
      fi
      if [ -n "${setupHook:-}" ]; then
        mkdir -p "$dir/nix-support"
        sed "s|@out@|$out|g" "$setupHook" > "$dir/nix-support/setup-hook"
      fi
    fi
  done
  # A dev output refers to the out output, so that depending on dev brings the libraries.
  if [ -n "${dev:-}" ] && [ "$dev" != "$out" ]; then
    mkdir -p "$dev/nix-support"
    echo "$out ${propagatedBuildInputs:-}" > "$dev/nix-support/propagated-build-inputs"
  fi
  runHook postFixup
}

genericBuild() {
  if [ -n "${buildCommand:-}" ]; then
    eval "$buildCommand"
    return
  fi
  cd "${NIX_BUILD_TOP:-$TMPDIR}"
  local phase
  : "${phases:=unpackPhase patchPhase configurePhase buildPhase ${doCheck:+checkPhase} installPhase fixupPhase}"
  for phase in $phases; do
    case $phase in
      unpackPhase) [ "${dontUnpack:-}" = 1 ] && continue ;;
      configurePhase) [ "${dontConfigure:-}" = 1 ] && continue ;;
      buildPhase) [ "${dontBuild:-}" = 1 ] && continue ;;
      installPhase) [ "${dontInstall:-}" = 1 ] && continue ;;
      fixupPhase) [ "${dontFixup:-}" = 1 ] && continue ;;
    esac
    echo "$phase"
    if [ -n "${!phase:-}" ]; then eval "${!phase}"; else "$phase"; fi
  done
}

if [ -n "${IN_NIX_SHELL:-}" ]; then
  [[ $__setupOptions == *e* ]] || set +e
  [[ $__setupOptions == *u* ]] || set +u
  set +o pipefail
  eval "$__setupNullglob"
fi
unset -v __setupOptions __setupNullglob
