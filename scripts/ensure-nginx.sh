#!/usr/bin/env bash
# Makes sure an nginx binary is available for the reverse-proxy tests (tests/reliability).
# Installs the Debian package when it is missing and we are root; otherwise says why and exits 1,
# and the tests skip with that reason.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "nginx is not installed and we are not root: cannot apt-get install it" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "nginx is not installed and apt-get is not available" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 && apt-get install -y -qq nginx >&2
