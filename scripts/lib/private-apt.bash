# Sourced by scripts/fill-mirror.sh and scripts/repin-seed.sh: a private apt configuration under a
# temp dir (its own lists and cache; the system's Debian sources with deb-src added), so the
# system's apt state is never touched and no archive host name is written in this project.
#
#   private_apt_setup DIR NAME   sets the array apt_opts; returns 2 when the archive cannot be reached
private_apt_setup() {
  local dir=$1 name=$2 sys_sources=/etc/apt/sources.list.d/debian.sources
  if [ ! -r "$sys_sources" ]; then
    echo "$name: $sys_sources not found (a Debian 12 system is needed)" >&2
    return 1
  fi
  mkdir -p "$dir/parts" "$dir/lists/partial" "$dir/cache/archives/partial"
  sed -e 's/^Types:.*/Types: deb deb-src/' "$sys_sources" > "$dir/parts/debian.sources"
  apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$dir/parts"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root" -o "Acquire::Retries=3" -o "Debug::NoLocking=1")
  if ! apt-get "${apt_opts[@]}" -qq update >"$dir/update.log" 2>&1 ||
     grep -q '^\(W\|E\): Failed to fetch' "$dir/update.log"; then
    cat "$dir/update.log" >&2
    echo "$name: the Debian archive cannot be reached (apt-get update failed)" >&2
    return 2
  fi
}

# pins FILE: the list's lines without comments and blank lines.
pins() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1"; }
