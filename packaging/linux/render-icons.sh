#!/usr/bin/env bash
# Renders the app icon (resources/icons/vault-app.svg) into the hicolor theme's PNG sizes under
# packaging/linux/icons/hicolor/, with the SVG itself in scalable/apps. The PNGs are committed;
# run this again after changing the SVG. Needs rsvg-convert (Debian's librsvg2-bin).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
svg="$here/../../resources/icons/vault-app.svg"
out="$here/icons/hicolor"
for size in 16 32 48 64 128 256 512; do
  mkdir -p "$out/${size}x${size}/apps"
  rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio --format png \
    --output "$out/${size}x${size}/apps/vault-app.png" "$svg"
done
mkdir -p "$out/scalable/apps"
cp "$svg" "$out/scalable/apps/vault-app.svg"
