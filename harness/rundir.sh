# shellcheck shell=bash
# The life of a run directory, sourced by bench.sh (see README.md, "Run
# directories" and "When a run goes wrong").
#
# A run is born as RESULTS/<id>.incomplete holding a meta.csv whose status
# row says `lost`: a harness that dies without a word (SIGKILL, a full
# disk, a crash) leaves a run that nobody can take for a result. A run
# that failed or was interrupted keeps the .incomplete name with a status
# row saying so. Only a run whose status is `ok` is renamed to its final
# name, in one rename(2): a run directory under its final name is
# complete, and nothing is ever written into it afterwards but charts.

RUN_DIR=""
RUN_ID=""

# rundir_meta_placeholder STATUS: the meta.csv of a run not yet collected.
rundir_meta_placeholder() {
	printf '%s\n' "key,value" "run_id,$RUN_ID" "status,$(vp_csv_field "$1")"
}

# rundir_create RESULTS NAME [ID]: create RESULTS/<UTC time>-NAME.incomplete
# (NAME.2, .3, ... when two runs start in the same second) and set RUN_DIR
# and RUN_ID. Ids are never reused: neither <id> nor <id>.incomplete may
# exist, checked and created under one lock. ID: the run's id was given
# (a guest launched elsewhere used it): that one or none.
rundir_create() {
	local results=$1 base id n=1 fd
	mkdir -p "$results" || vp_die "cannot create the results directory $results"
	results=$(cd "$results" && pwd)
	base=$(date -u +%Y%m%dT%H%M%SZ)-$2
	id=${3:-$base}
	mkdir -p "$(vp_cache)/locks"
	exec {fd}>"$(vp_cache)/locks/run-ids.lock"
	flock "$fd"
	while [ -e "$results/$id" ] || ! mkdir "$results/$id.incomplete" 2>/dev/null; do
		[ -z "${3:-}" ] || vp_die "run $3 exists in $results: results are never overwritten"
		n=$((n + 1))
		[ "$n" -lt 100 ] || vp_die "cannot create a run directory like $results/$base"
		id=$base.$n
	done
	exec {fd}>&-
	RUN_ID=$id
	RUN_DIR=$results/$id.incomplete
	vp_atomic_output "$RUN_DIR/meta.csv" rundir_meta_placeholder \
		"lost (the harness stopped before it could collect the run; its logs, if any, are here)" ||
		vp_die "cannot write $RUN_DIR/meta.csv$(vp_df_note "$RUN_DIR")"
}

# rundir_set_status STATUS: record STATUS in the run's meta.csv, whether
# it is the placeholder or the collected one. Best effort on a full disk:
# the placeholder's `lost` then stays, which is true enough.
rundir_set_status() {
	local status=$1 meta=$RUN_DIR/meta.csv
	[ -n "$RUN_DIR" ] && [ -d "$RUN_DIR" ] || return 0
	if [ -f "$RUN_DIR/samples.csv" ] && [ -f "$meta" ]; then
		vp_atomic_output "$meta" awk -v row="status,$(vp_csv_field "$status")" \
			'/^status,/ { if (!done) print row; done = 1; next } { print } END { if (!done) print row }' \
			"$meta" 2>/dev/null || true
	else
		vp_atomic_output "$meta" rundir_meta_placeholder "$status" 2>/dev/null || true
	fi
}

# rundir_commit: the run is complete; give it its final name.
rundir_commit() {
	local final=${RUN_DIR%.incomplete}
	[ ! -e "$final" ] || vp_die "$final exists: results are never overwritten (run kept as $RUN_DIR)"
	mv -T "$RUN_DIR" "$final" || vp_die "cannot rename $RUN_DIR to $final"
	RUN_DIR=$final
}

rundir_complete() {
	[ -n "$RUN_DIR" ] && [[ $RUN_DIR != *.incomplete ]]
}
