#!/usr/bin/env bash
# Installs losslint for action.yml: a virtual environment in $RUNNER_TEMP (system Pythons on
# current runners refuse `pip install`), the pinned `lossfit` distribution (or $INPUT_PACKAGE),
# and its scripts directory added to $GITHUB_PATH for the steps after this one.
set -euo pipefail

: "${RUNNER_TEMP:?RUNNER_TEMP is not set: run this from a GitHub Actions step}"
: "${GITHUB_PATH:?GITHUB_PATH is not set: run this from a GitHub Actions step}"

requirement=${INPUT_PACKAGE:-}
if [ -z "$requirement" ]; then
  requirement="lossfit==${INPUT_VERSION:?set the action input 'version' or 'package'}"
fi

python=$(command -v python3 || command -v python || true)
if [ -z "$python" ]; then
  echo "::error title=losslint::no Python found on PATH: add actions/setup-python before this action"
  exit 2
fi

venv="$RUNNER_TEMP/losslint-venv"
"$python" -m venv "$venv"
if [ -d "$venv/Scripts" ]; then bin="$venv/Scripts"; else bin="$venv/bin"; fi
"$bin/python" -m pip install --quiet --disable-pip-version-check "$requirement"
echo "$bin" >> "$GITHUB_PATH"
"$bin/losslint" --version
