#!/usr/bin/env bash
# Regenerates docs/ui.png, the README's picture of the web UI mid-run: runs
# the web UI's browser test (real binary, real Chromium), which saves
# build/ui-screenshots/demo-mid-run-wide.png, and copies that. Needs a
# build (./run.sh build).
set -euo pipefail
cd "$(dirname "$0")/.."
(cd build && ctest -R '^browser\.web_ui$' --output-on-failure)
cp build/ui-screenshots/demo-mid-run-wide.png docs/ui.png
echo "docs/ui.png updated"
