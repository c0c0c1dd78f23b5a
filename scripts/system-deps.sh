#!/usr/bin/env bash
# Debian packages, installed only when missing. `system-deps.sh run`: what the server needs, Pango for
# WeasyPrint (the PDF reports) and a font that covers Vietnamese. Without an argument, also what the test suite
# needs: the PostgreSQL 15 server, Chromium for the browser tests (tests/e2e; Playwright cannot download a
# browser here) and poppler-utils, whose pdftotext the report tests read PDFs with.
set -euo pipefail

need=()
if [ "${1:-test}" != run ]; then
  if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    need+=(postgresql)
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    need+=(chromium)
  fi
  if ! command -v pdftotext >/dev/null 2>&1; then
    need+=(poppler-utils)
  fi
fi
if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  need+=(fonts-dejavu-core)
fi
if ! ldconfig -p | grep 'libpango-1\.0\.so\.0' >/dev/null; then  # not -q: an early exit would fail the pipe (pipefail)
  need+=(libpango-1.0-0)
fi
if ! ldconfig -p | grep 'libpangoft2-1\.0\.so\.0' >/dev/null; then  # not -q: an early exit would fail the pipe (pipefail)
  need+=(libpangoft2-1.0-0)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${need[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
