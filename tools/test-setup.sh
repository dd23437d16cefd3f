#!/usr/bin/env bash
# Test set-up for `make test`: the system tools the rendering tests use, from Debian:
#   poppler-utils (pdftotext, the PDF layout test), chromium and chromium-driver (the axe-core
#   accessibility test). Installed only where missing and only where this shell may (root with
#   apt-get); otherwise it says so and the tests that need them skip, naming what is missing.
# Quarto itself is not installed here: see ../shared/tools/quarto/README.md or environment.yml.
set -u
missing=()
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-setup: ${missing[*]} missing and cannot be installed here (needs root and apt-get); the tests that use them will skip" >&2
  exit 0
fi
echo "test-setup: installing ${missing[*]} from Debian" >&2
if ! (timeout 900 apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null); then
  echo "test-setup: apt-get could not install ${missing[*]}; the tests that use them will skip" >&2
fi
exit 0
