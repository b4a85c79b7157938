#!/bin/bash
# shellcheck source-path=SCRIPTDIR/..
# Check LAVA job definitions offline with LAVA's own validators: the job
# schema of lava_common (package lava-common), and with --device, the
# dispatcher's own check of the job against a device (lava-run
# --validate, package lava-dispatcher), which also builds the pipeline
# (it catches what the schema cannot: a boot without prompts, an image
# argument the device type has no use for).
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() {
	cat <<'EOF'
usage: validate.sh [--device-dict DEVICE.jinja2] JOB.yaml...

  --device-dict FILE  also run `lava-run --validate` against this device
                      dictionary (as a lab has it: `{% extends 'qemu.jinja2' %}`
                      and its settings), rendered with each job's context
                      the way lava-server does it, from the device types
                      of lava-server (/usr/share/lava-server/device-types);
                      needs lava-server and lava-dispatcher (make lava-lab)

Every job is checked by lava_common.schemas.validate(job, strict=True)
(Debian's python3 with lava-common). Prints one line per job, "ok FILE"
or "invalid FILE: REASON", on stdout.

Exit: 0 every job is valid; 1 one is not; 2 bad usage or no validator.

Example:
  harness/lava/validate.sh lava/campaign-X/jobs/*.yaml
EOF
}

device="" jobs=()
templates=/usr/share/lava-server/device-types
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--device-dict)
		vp_need_value "$1" $#
		device=$2
		shift 2
		continue
		;;
	-*) vp_usage_error "unknown option '$1'" ;;
	esac
	jobs+=("$1")
	shift
done
[ ${#jobs[@]} -gt 0 ] || vp_usage_error "no job file given"
for j in "${jobs[@]}"; do
	[ -f "$j" ] || vp_usage_error "$j: no such file"
done
[ -z "$device" ] || [ -f "$device" ] || vp_usage_error "--device-dict $device: no such file"
# LAVA is Debian's python3's, whatever python3 is first on PATH.
py=/usr/bin/python3
"$py" -c 'import lava_common.schemas' 2>/dev/null ||
	{ vp_log "error: no lava_common for $py (install lava-common: make deps)"; exit 2; }
if [ -n "$device" ]; then
	if ! command -v lava-run >/dev/null || ! [ -d "$templates" ]; then
		vp_log "error: --device-dict needs lava-run and $templates (lava-dispatcher, lava-server: make lava-lab)"
		exit 2
	fi
fi

bad=0
# The schema: one python for every job.
"$py" - "${jobs[@]}" <<'EOF' || bad=1
import sys
import yaml
from lava_common.schemas import validate

status = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            validate(yaml.safe_load(f), strict=True)
    except Exception as e:
        msg = " ".join(str(e).split())
        print(f"invalid {path}: schema: {msg}")
        status = 1
    else:
        print(f"ok {path}: schema")
sys.exit(status)
EOF
if [ -n "$device" ]; then
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
	for j in "${jobs[@]}"; do
		# The device as the scheduler hands it to the worker: the
		# dictionary rendered with the job's context.
		"$py" - "$templates" "$device" "$j" >"$out/device.yaml" <<'EOF' ||
import os
import sys
import jinja2
import yaml

templates, device, job = sys.argv[1:]
with open(job) as f:
    context = yaml.safe_load(f).get("context") or {}
loader = jinja2.FileSystemLoader([os.path.dirname(os.path.abspath(device)), templates])
env = jinja2.Environment(loader=loader, trim_blocks=True, autoescape=False)
print(env.get_template(os.path.basename(device)).render(**context))
EOF
			{ echo "invalid $j: the device dictionary $device does not render"; bad=1; continue; }
		# lava-run's log (one JSON object a line) says why it refused.
		if lava-run --validate --output-dir "$out" --job-id 0 --device "$out/device.yaml" "$j" >"$out/log" 2>&1; then
			echo "ok $j: lava-run --validate"
		else
			echo "invalid $j: lava-run --validate: $(grep -o '"error_msg": "[^"]*"' "$out/log" | head -n 2 | sed 's/"error_msg": //' | tr '\n' ' ')$(grep -v '^{' "$out/log" | head -n 2 | tr '\n' ' ')"
			bad=1
		fi
	done
fi
exit "$bad"
