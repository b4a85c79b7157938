#!/bin/bash
# Lint: every shell script is shellcheck-clean, every C file builds with
# -Werror in both variants (the Makefile's flags), and no file has
# trailing whitespace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mapfile -t scripts < <(git ls-files -co --exclude-standard -- '*.sh' harness/guest-init .ci/run | sort -u)
status=0
shellcheck -x "${scripts[@]}" || status=1
if git ls-files -co --exclude-standard -- '*.c' '*.h' '*.sh' '*.gp' Makefile |
	xargs grep -nE '[[:space:]]+$'; then
	echo "lint: trailing whitespace above" >&2
	status=1
fi
exit "$status"
