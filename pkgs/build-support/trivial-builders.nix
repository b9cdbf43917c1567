# Builders that need no source: a command, a text file, a script, a merged tree.
{ stdenv, lib }:
rec {
  # runCommand name env command: runs command (bash, with the stdenv's tools) to make $out.
  runCommand = name: env: buildCommand:
    stdenv.mkDerivation ({ inherit name buildCommand; } // env);

  # writeTextFile { name; text; executable ? false; destination ? ""; }
  writeTextFile = { name, text, executable ? false, destination ? "" }:
    runCommand name { inherit text executable destination; passAsFile = [ "text" ]; } ''
      target=$out$destination
      mkdir -p "$(dirname "$target")"
      cp "$textPath" "$target"
      [ -z "$executable" ] || chmod +x "$target"
    '';
  writeText = name: text: writeTextFile { inherit name text; };
  writeScript = name: text: writeTextFile { inherit name text; executable = true; };
  writeShellScript = name: text: writeScript name ''
    #!${stdenv.shell}
    ${text}
  '';

  # symlinkJoin { name; paths; }: one tree of symlinks to the files of all paths (the first wins).
  symlinkJoin = { name, paths, postBuild ? "", ... }@args:
    runCommand name (removeAttrs args [ "name" "paths" "postBuild" ] // { inherit paths; }) ''
      mkdir -p $out
      for p in $paths; do
        (cd "$p" && find . -mindepth 1 \( -type f -o -type l \) -print) | while read -r f; do
          [ -e "$out/$f" ] || [ -L "$out/$f" ] || { mkdir -p "$out/$(dirname "$f")"; ln -s "$p/''${f#./}" "$out/$f"; }
        done
      done
      ${postBuild}
    '';

  # buildEnv { name; paths; ignoreCollisions ? false; }: like symlinkJoin, but a file provided by
  # two packages is an error unless their meta.priority differs (the lower number wins) or
  # collisions are ignored.
  buildEnv = { name, paths, ignoreCollisions ? false, postBuild ? "" }:
    let
      sorted = builtins.sort (a: b: (a.meta.priority or 5) < (b.meta.priority or 5)) paths;
      prios = map (p: toString (p.meta.priority or 5)) sorted;
    in
    runCommand name { paths = sorted; inherit prios ignoreCollisions; } ''
      mkdir -p $out
      declare -A owner=() prio=()
      set -- $prios
      for p in $paths; do
        pr=$1; shift
        while read -r f; do
          f=''${f#./}
          if [ -n "''${owner[$f]:-}" ]; then
            if [ "''${prio[$f]}" = "$pr" ] && [ -z "$ignoreCollisions" ] &&
               ! cmp -s "''${owner[$f]}/$f" "$p/$f"; then
              echo "buildEnv: collision between '$p/$f' and '''''${owner[$f]}/$f' (same priority $pr)" >&2
              exit 1
            fi
            continue
          fi
          owner[$f]=$p; prio[$f]=$pr
          mkdir -p "$out/$(dirname "$f")"
          ln -s "$p/$f" "$out/$f"
        done < <(cd "$p" && find . -mindepth 1 \( -type f -o -type l \) -print)
      done
      ${postBuild}
    '';
}
