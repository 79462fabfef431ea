#!/usr/bin/env bash
# Makes sure the benchmark's outside tools are here: wrk (the load generator) and, for the Python peers,
# Debian's python3-tornado, gunicorn and python3-flask (the Flask workloads, also served by tsgi --python). As root with apt-get it installs what is missing; otherwise it says
# what is missing, and `pnpm bench` skips those peers (it cannot run at all without wrk).
set -uo pipefail

python=/usr/bin/python3
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
"$python" -c 'import tornado' >/dev/null 2>&1 || missing+=(python3-tornado)
"$python" -c 'import gunicorn' >/dev/null 2>&1 || missing+=(gunicorn)
"$python" -c 'import flask' >/dev/null 2>&1 || missing+=(python3-flask)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "${EUID:-1}" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "bench: installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "bench: apt-get could not install ${missing[*]}" >&2
else
  echo "bench: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
fi
echo "bench: servers that need them are skipped (without wrk nothing can be measured)" >&2
exit 0
