#!/usr/bin/env bash
# Installs (or, with --uninstall, removes) initlab's menu entry and icon for the current user, so
# the desktop starts initlab like any other app and offers it for CSV and study files.
#
#   desktop/install.sh                 # after `cargo install --path .`
#   desktop/install.sh --uninstall
#   desktop/install.sh --prefix DIR    # instead of ~/.local (the tests install into a temp dir)
#
# The binary itself is installed by `cargo install --path .` (into ~/.cargo/bin, which must be on
# PATH for the menu entry's `Exec=initlab`).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
prefix="${XDG_DATA_HOME:-$HOME/.local/share}"
uninstall=false
while [ $# -gt 0 ]; do
  case "$1" in
    --uninstall) uninstall=true ;;
    --prefix) shift; prefix="$1/share" ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

files=(
  "applications/initlab.desktop:$here/initlab.desktop"
  "icons/hicolor/scalable/apps/initlab.svg:$here/initlab.svg"
  "icons/hicolor/256x256/apps/initlab.png:$here/initlab-256.png"
)

apps="$prefix/applications"
icons="$prefix/icons/hicolor"

for entry in "${files[@]}"; do
  target="$prefix/${entry%%:*}"
  source="${entry#*:}"
  if $uninstall; then
    rm -f "$target"
  else
    install -D -m 644 "$source" "$target"
  fi
done

# Refresh the desktop's caches when the tools are there (they are optional).
if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$apps" ]; then
  update-desktop-database -q "$apps" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$icons" ]; then
  gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
fi

if $uninstall; then
  # A cache that describes nothing but initlab goes too, then every folder left empty.
  if [ -d "$apps" ] && [ -z "$(find "$apps" -name '*.desktop' -print -quit)" ]; then
    rm -f "$apps/mimeinfo.cache"
  fi
  if [ -d "$icons" ] && [ -z "$(find "$icons" -type f ! -name icon-theme.cache -print -quit)" ]; then
    rm -f "$icons/icon-theme.cache"
  fi
  for dir in "$icons/scalable/apps" "$icons/scalable" "$icons/256x256/apps" "$icons/256x256" \
    "$icons" "$prefix/icons" "$apps" "$prefix"; do
    rmdir "$dir" 2>/dev/null || true
  done
fi

if $uninstall; then
  echo "removed initlab's menu entry and icon from $prefix"
else
  echo "installed initlab's menu entry and icon into $prefix"
  command -v initlab >/dev/null 2>&1 || echo "note: 'initlab' is not on PATH yet: run 'cargo install --path .'"
fi
