#!/bin/bash
# shellcheck source-path=SCRIPTDIR/..
# A LAVA lab on this machine, for trying the LAVA jobs and for make
# test-lava: Debian's lava-server and lava-dispatcher, PostgreSQL, the
# server (gunicorn), the scheduler and N workers with one qemu device
# each, every one started by hand from the command of its systemd unit
# (no systemd here) and listening on 127.0.0.1 only. `make lava-lab` and
# `make lava-lab-stop` call this.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() {
	cat <<'EOF'
usage: lab.sh start [--workers N] | stop | status | crash-worker N

  start        install lava-server, lava-dispatcher and lavacli if they are
               missing (Debian's packages: this UPGRADES some system
               packages, e.g. systemd's libraries, perl, linux-libc-dev; it
               needs root and about 3 minutes), start PostgreSQL if it is
               not running (listening on 127.0.0.1), create the user
               vfio-perf with a token, the workers lab-worker-1..N and their
               devices qemu-01..0N (device type qemu, no_kvm when
               /dev/kvm cannot run a guest), start gunicorn on
               127.0.0.1:8000, the scheduler and the workers, and add the
               lavacli identity vfio-perf-lab
  --workers N  1 to 9 workers (default 2)
  stop         stop exactly what start started (its process groups, and
               PostgreSQL if start started it); the packages stay
  status       what runs, and the lab's workers and devices
  crash-worker N
               as if lab-worker-N's machine died and booted again: SIGKILL
               the worker and every process it started (lava-run, QEMU),
               then start the worker again; its jobs end Incomplete when
               it finds their lava-run gone (make test-lava uses it)

State, logs and the device dictionaries: $VFIO_PERF_CACHE/lava-lab/
(started.txt lists what start started). The server answers at
http://127.0.0.1:8000/ only; nothing listens on another interface.

Exit: 0 done; 1 a step failed (it says which); 2 bad usage.

Example:
  harness/lava/lab.sh start --workers 2
EOF
}

STATE=$(vp_cache)/lava-lab
URL=http://127.0.0.1:8000/
IDENTITY=vfio-perf-lab
USER_NAME=vfio-perf
DICTS=/etc/lava-server/dispatcher-config/devices

manage() {
	lava-server manage "$@"
}

# started WHAT PID: record something start started (stop undoes it).
started() {
	echo "$1 $2" >>"$STATE/started.txt"
}

# spawn NAME CMD...: CMD in a process group of its own, logged.
spawn() {
	local name=$1
	shift
	setsid "$@" </dev/null >>"$STATE/$name.out" 2>&1 &
	started "$name" $!
}

install_packages() {
	local missing=()
	for p in lava-server lava-dispatcher lavacli; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	vp_log "installing ${missing[*]} from Debian: this upgrades some system packages (apt-get -s install ${missing[*]} lists them)"
	start_postgres
	DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends "${missing[@]}" >&2 ||
		vp_die "apt-get install ${missing[*]} failed"
}

# PostgreSQL before anything of LAVA: its install creates the database.
start_postgres() {
	local ver
	ver=$(pg_lsclusters -h 2>/dev/null | awk '{ print $1; exit }') || true
	[ -n "$ver" ] || vp_die "no PostgreSQL cluster (install postgresql)"
	pg_lsclusters -h | awk '{ print $4 }' | grep -q online && return 0
	pg_ctlcluster "$ver" main start -o "-c listen_addresses=127.0.0.1" ||
		vp_die "cannot start PostgreSQL $ver"
	started postgres "$ver"
}

# kvm_usable: whether a guest can run under KVM here (qemu.sh's probe
# says so in the cache; without it, no).
kvm_usable() {
	grep -qsx 'accel=kvm' "$(vp_cache)"/accel-probe/* 2>/dev/null
}

setup_lab() {
	local n=$1 i w d token
	manage users details "$USER_NAME" >/dev/null 2>&1 ||
		manage users add "$USER_NAME" --superuser --staff >/dev/null ||
		vp_die "cannot create the LAVA user $USER_NAME"
	if ! [ -s "$STATE/token" ]; then
		token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
		manage tokens add --user "$USER_NAME" --secret "$token" >/dev/null ||
			vp_die "cannot create a token for $USER_NAME"
		(umask 077 && echo "$token" >"$STATE/token")
	fi
	manage device-types details qemu >/dev/null 2>&1 || manage device-types add qemu >/dev/null ||
		vp_die "cannot add the device type qemu"
	for ((i = 1; i <= n; i++)); do
		w=lab-worker-$i d=qemu-0$i
		manage workers details "$w" >/dev/null 2>&1 || manage workers add "$w" >/dev/null ||
			vp_die "cannot add the worker $w"
		manage devices details "$d" >/dev/null 2>&1 ||
			manage devices add --device-type qemu --worker "$w" "$d" >/dev/null ||
			vp_die "cannot add the device $d"
		{
			echo "{% extends 'qemu.jinja2' %}"
			echo "{% set mac_addr = '52:54:00:12:34:5$i' %}"
			kvm_usable || echo "{% set no_kvm = True %}"
		} >"$STATE/$d.jinja2"
		# Where lava-server reads a device's dictionary.
		install -m 0644 -o lavaserver -g lavaserver "$STATE/$d.jinja2" "$DICTS/$d.jinja2" ||
			vp_die "cannot install the dictionary of $d into $DICTS"
		manage devices update --health GOOD "$d" >/dev/null 2>&1 || true
		manage shell -c "from lava_scheduler_app.models import Worker; print(Worker.objects.get(hostname='$w').token)" \
			2>/dev/null | tail -n 1 >"$STATE/$w.token"
		[ -s "$STATE/$w.token" ] || vp_die "cannot read the token of worker $w"
	done
}

# wait_up N: the server answers and the N workers are online.
wait_up() {
	local n=$1 t
	for ((t = 0; t < 120; t++)); do
		if curl -fs -o /dev/null "${URL}api/v0.2/workers/" &&
			[ "$(lavacli -i "$IDENTITY" devices list --yaml 2>/dev/null | grep -c "health: Good")" -ge "$n" ]; then
			vp_log "lab up: $URL, $n worker(s), devices qemu-01..0$n (lavacli identity $IDENTITY)"
			return 0
		fi
		sleep 2
	done
	vp_die "the lab is not up after 240 s (logs in $STATE)"
}

start() {
	local n=$1 i w
	[ "$(id -u)" = 0 ] || vp_die "make lava-lab installs packages and starts services: run it as root"
	mkdir -p "$STATE"
	if [ -s "$STATE/started.txt" ]; then
		vp_die "a lab started by this script runs (see $STATE/started.txt): make lava-lab-stop first"
	fi
	: >"$STATE/started.txt"
	install_packages
	vp_need_cmd curl
	start_postgres
	manage migrate --noinput >"$STATE/migrate.out" 2>&1 || vp_die "lava-server manage migrate failed ($STATE/migrate.out)"
	setup_lab "$n"
	# The units' commands, with our own addresses and logs.
	spawn gunicorn gunicorn3 lava_server.wsgi --bind 127.0.0.1:8000 --log-level INFO \
		--log-file "$STATE/gunicorn.log" -u lavaserver -g lavaserver --worker-class eventlet --workers 2
	spawn scheduler lava-server manage lava-scheduler --level INFO --log-file "$STATE/scheduler.log"
	for ((i = 1; i <= n; i++)); do
		spawn_worker "$i"
	done
	lavacli identities add --uri "${URL}RPC2" --username "$USER_NAME" --token "$(<"$STATE/token")" "$IDENTITY" ||
		vp_die "cannot add the lavacli identity $IDENTITY"
	wait_up "$n"
}

# spawn_worker I: start lab-worker-I (its directory, token and log in
# $STATE), as its systemd unit would.
spawn_worker() {
	local w=lab-worker-$1
	mkdir -p "$STATE/$w"
	spawn "$w" lava-worker --level INFO --name "$w" --url "$URL" --worker-dir "$STATE/$w" \
		--token-file "$STATE/$w.token" --log-file "$STATE/$w.log"
}

# descendants PID: every process below PID (lava-run puts itself and QEMU
# into process groups of their own, so the worker's group is not enough).
descendants() {
	local child
	for child in $(pgrep -P "$1" || true); do
		echo "$child"
		descendants "$child"
	done
}

crash_worker() {
	local i=$1 w=lab-worker-$1 pid pids
	[ -s "$STATE/started.txt" ] || vp_die "no lab started by lab.sh runs"
	pid=$(awk -v w="$w" '$1 == w { p = $2 } END { print p }' "$STATE/started.txt")
	if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
		vp_die "$w does not run"
	fi
	# Stop the whole tree first, so that nothing starts or reaps while it
	# is killed.
	mapfile -t pids < <(echo "$pid"; descendants "$pid")
	kill -STOP "${pids[@]}" 2>/dev/null || true
	kill -KILL "${pids[@]}" 2>/dev/null || true
	vp_log "killed $w and the ${#pids[@]} process(es) of its tree: ${pids[*]}"
	spawn_worker "$i"
	vp_log "$w started again"
}

stop() {
	local what id
	[ -s "$STATE/started.txt" ] || { vp_log "nothing to stop (no $STATE/started.txt)"; return 0; }
	# In the reverse order of start: workers, scheduler, server, database.
	tac "$STATE/started.txt" | while read -r what id; do
		case $what in
		postgres) pg_ctlcluster "$id" main stop || vp_log "error: cannot stop PostgreSQL $id" ;;
		*)
			kill -TERM -- "-$id" 2>/dev/null || continue
			for _ in $(seq 30); do
				kill -0 -- "-$id" 2>/dev/null || break
				sleep 1
			done
			kill -KILL -- "-$id" 2>/dev/null || true
			vp_log "stopped $what (process group $id)"
			;;
		esac
	done
	mv "$STATE/started.txt" "$STATE/stopped-$(date -u +%Y%m%dT%H%M%SZ).txt"
}

status() {
	[ -s "$STATE/started.txt" ] && cat "$STATE/started.txt" || echo "no lab started by lab.sh"
	lavacli -i "$IDENTITY" workers list 2>/dev/null || true
	lavacli -i "$IDENTITY" devices list 2>/dev/null || true
}

cmd=${1:-}
[ $# -gt 0 ] && shift
workers=2
while [ $# -gt 0 ]; do
	case $1 in
	--workers)
		vp_need_value "$1" $#
		[[ $2 =~ ^[1-9]$ ]] || vp_usage_error "--workers must be a number from 1 to 9, not '$2'"
		workers=$2
		shift 2
		;;
	*)
		if [ "$cmd" != crash-worker ] || [ -n "${crash:-}" ]; then
			vp_usage_error "unknown argument '$1'"
		fi
		[[ $1 =~ ^[1-9]$ ]] || vp_usage_error "crash-worker wants a worker number from 1 to 9, not '$1'"
		crash=$1
		shift
		;;
	esac
done
case $cmd in
-h | --help) usage ;;
start) start "$workers" ;;
stop) stop ;;
status) status ;;
crash-worker)
	[ -n "${crash:-}" ] || vp_usage_error "crash-worker wants a worker number"
	crash_worker "$crash"
	;;
*) vp_usage_error "say start, stop, status or crash-worker N" ;;
esac
