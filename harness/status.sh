#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Run a make target's tool and say, when it fails, which status it gave:
# GNU make itself exits 2 for any failed recipe, so the tools' documented
# statuses (bench.sh: 1 failed, 2 usage, 3 guest, 4 skipped; compare: 1
# regression, 2 incomplete) would never reach a script that calls make.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF2'
usage: status.sh TARGET CMD [ARG...]

Run CMD. If it fails with status N, print one line
  make TARGET: CMD exited N; make exits 2 for any failure: where the status
  matters (scripts, git bisect run), run CMD directly
and exit N (which make then reports as its own 2).

Example (what `make compare` runs):
  harness/status.sh compare plot/report.sh results/A results/B
EOF2
}

case ${1:-} in
-h | --help) usage; exit 0 ;;
esac
[ $# -ge 2 ] || vp_usage_error "needs a target name and a command"
target=$1
shift
rc=0
"$@" || rc=$?
if [ "$rc" != 0 ]; then
	printf 'make %s: %s exited %s; make exits 2 for any failure: where the status matters (scripts, git bisect run), run %s directly\n' \
		"$target" "${1#"$(vp_repo)"/}" "$rc" "${1#"$(vp_repo)"/}" >&2
fi
exit "$rc"
