#!/bin/sh
# Browser test of the web client: installs headless Chromium, its driver, an emoji font and
# selenium when missing, builds roost if ROOST_BIN is not given, runs the test.
set -eu
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! fc-list 2>/dev/null | grep -qi emoji; then
    # Reaction chips and the picker are emoji: without a color emoji font they are boxes.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null || true
fi
if ! python3 -c "import selenium" >/dev/null 2>&1; then
    pip install -q selenium 2>/dev/null || pip install -q --break-system-packages selenium
fi
if [ -z "${ROOST_BIN:-}" ]; then
    swift build --product roost
    ROOST_BIN="$(swift build --show-bin-path)/roost"
    export ROOST_BIN
fi
exec python3 tests/browser/test_web.py "$@"
