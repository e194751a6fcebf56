#!/usr/bin/env bash
# Runs `losslint check` for action.yml: findings as workflow commands (annotations on the pull
# request), optionally SARIF first, a line in the job summary, and the outputs exit-code,
# findings and sarif-file. Exits with losslint's status.
set -uo pipefail

: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this from a GitHub Actions step}"

losslint=${LOSSLINT:-losslint}
read -r -a args <<< "${INPUT_ARGS:-.}"
cd "${INPUT_WORKING_DIRECTORY:-.}" || { echo "::error title=losslint::no directory ${INPUT_WORKING_DIRECTORY}"; exit 2; }

sarif=${INPUT_SARIF:-}
if [ -n "$sarif" ]; then
  "$losslint" check --format sarif --exit-zero "${args[@]}" > "$sarif"
  sarif_status=$?
  if [ "$sarif_status" -ne 0 ]; then
    echo "::error title=losslint::writing SARIF to $sarif failed (exit $sarif_status)"
    echo "exit-code=$sarif_status" >> "$GITHUB_OUTPUT"
    exit "$sarif_status"
  fi
  echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"
fi

annotations=$(mktemp)
trap 'rm -f "$annotations"' EXIT
"$losslint" check --format github "${args[@]}" > "$annotations"
status=$?
cat "$annotations"
findings=$(grep -c -E '^::(error|warning) ' "$annotations" || true)

echo "exit-code=$status" >> "$GITHUB_OUTPUT"
echo "findings=$findings" >> "$GITHUB_OUTPUT"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  case $status in
    0) verdict="passed" ;;
    1) verdict="failed" ;;
    *) verdict="could not run (exit $status)" ;;
  esac
  echo "**losslint** $verdict: $findings finding(s) in \`${args[*]}\`" >> "$GITHUB_STEP_SUMMARY"
fi
exit "$status"
