#!/usr/bin/env bash
# Makes sure Debian's python3-flask (Flask, Werkzeug, Jinja2, MarkupSafe, itsdangerous, click: pure Python under
# /usr/lib/python3/dist-packages) is installed, for @tsgi/python's Flask tests, the demo's /flask/ mount and the
# benchmark's Flask workloads. Installs the package when it is missing and we are root with apt-get; otherwise
# says why and exits 1, and whoever needs it skips with that reason.
set -euo pipefail
packages=/usr/lib/python3/dist-packages
if [ -f "$packages/flask/__init__.py" ] && [ -f "$packages/werkzeug/__init__.py" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-python-flask: python3-flask is not installed and installing it needs root (apt-get install python3-flask)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-python-flask: python3-flask is not installed and this system has no apt-get to install it with" >&2
  exit 1
fi
echo "ensure-python-flask: installing Debian's python3-flask package (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-flask >/dev/null; } >&2; then
  echo "ensure-python-flask: apt-get could not install python3-flask" >&2
  exit 1
fi
if [ ! -f "$packages/flask/__init__.py" ]; then
  echo "ensure-python-flask: python3-flask installed but $packages/flask is missing" >&2
  exit 1
fi
