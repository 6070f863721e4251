#!/usr/bin/env bash
# Install the Debian packages the full test suite needs (Chromium for browser tests, a PostgreSQL server and
# pg_auto_failover for the fail-over test,
# espeak-ng and ffmpeg for the read-aloud audio, Pango and DejaVu fonts for WeasyPrint's PDF reports, poppler's
# pdftotext to read them back in the tests),
# when they are missing and we may install (root). Elsewhere, say what is missing and let the caller decide.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v pg_autoctl >/dev/null || missing+=(postgresql-15-auto-failover)  # tests/test_failover.py
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "Missing system packages: ${missing[*]} (install them with apt-get as root)." >&2
[ "${CI:-}" = "true" ] && exit 1
exit 0
