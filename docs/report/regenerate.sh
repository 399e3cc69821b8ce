#!/usr/bin/env sh
# Regenerate the flagship's report and its screenshot as committed here: 5,000 runs from
# seed 7 with the four what-if variants, then the first screen of the page in headless
# Chromium (offline flags, a new empty profile). Needs escalsim installed and Chromium
# (Debian: apt-get install chromium; another binary: CHROMIUM=/path/to/chrome).
set -eu
cd "$(dirname "$0")/../.."
html=docs/report/venezuela_2025.html
png=docs/report/venezuela_2025.png
escalsim report scenarios/venezuela_2025.yaml --runs 5000 --seed 7 \
    --compare scenarios/venezuela_2025_guarantee.yaml \
    --compare scenarios/venezuela_2025_believer.yaml \
    --compare scenarios/venezuela_2025_elections.yaml \
    --compare scenarios/venezuela_2025_no_ultimatum.yaml \
    --out "$html" --force --quiet
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"${CHROMIUM:-chromium}" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1200,1800 \
    --screenshot="$PWD/$png" "file://$PWD/$html" 2>/dev/null
echo "screenshot written to $png"
