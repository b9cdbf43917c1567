# Unpacks the Debian packages named in $debs into $out with nothing but a static busybox: each
# package's data.tar.* goes into the tree as dpkg would install it (docs, manuals and translations
# dropped); absolute symlinks are redirected into $out, or into $glibc when set.
set -e
bb=$busybox/bin/busybox
mkdir_() { $bb mkdir -p "$@"; }
mkdir_ "$TMPDIR/bin"
$bb --install -s "$TMPDIR/bin"
export PATH=$TMPDIR/bin
mkdir -p "$out" "$TMPDIR/deb"
for deb in $debs; do
  cd "$TMPDIR/deb"
  ar x "$deb"
  case $(ls data.tar.*) in
    data.tar.xz) tar xJf data.tar.xz -C "$out" ;;
    data.tar.gz) tar xzf data.tar.gz -C "$out" ;;
    data.tar.bz2) tar xjf data.tar.bz2 -C "$out" ;;
    *) echo "unpack-debs: $deb: unsupported data member $(ls data.tar.*)" >&2; exit 1 ;;
  esac
  rm -f ./*
done
cd "$out"
chmod -R u+w .
rm -rf usr/share/doc usr/share/man usr/share/info usr/share/locale usr/share/lintian \
  usr/share/bug usr/share/menu etc/init.d etc/cron.daily
find . -type l | while read -r link; do
  target=$(readlink "$link")
  case $target in
    /*)
      if [ -e "$out$target" ] || [ -L "$out$target" ]; then ln -sfn "$out$target" "$link"
      elif [ -n "$glibc" ] && [ -e "$glibc$target" ]; then ln -sfn "$glibc$target" "$link"
      else rm "$link"
      fi ;;
  esac
done
