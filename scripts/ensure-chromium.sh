#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium, for the demo's browser test.
# Installs it with apt-get when it is missing and we are root; otherwise says why not and exits non-zero.
set -euo pipefail

chromium=/usr/bin/chromium

if [ -x "$chromium" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: $chromium is missing and installing it needs root (apt-get install chromium)" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $chromium is missing and this system has no apt-get to install it with" >&2
  exit 1
fi

echo "ensure-chromium: installing Debian's chromium package (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >&2 || ! apt-get install -y -qq --no-install-recommends chromium >&2; then
  echo "ensure-chromium: apt-get could not install chromium" >&2
  exit 1
fi

if [ ! -x "$chromium" ]; then
  echo "ensure-chromium: the chromium package installed but $chromium is still missing" >&2
  exit 1
fi
echo "ensure-chromium: $("$chromium" --version 2>/dev/null || echo chromium) is ready" >&2
