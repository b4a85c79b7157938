# The name of each sample of a samples.csv, as a LAVA test case reports it
# and as harness/lava/collect.sh checks it: one line per sample,
#   BENCH.BACKING.LEVEL.IFACE.SIZE.CHUNK.UNMAPCHUNK.METRIC.REP VALUE UNIT
# (empty fields as "-"). Runs in the guest (busybox awk) and on the host.
BEGIN { FS = "," }
NR == 1 {
	for (i = 1; i <= NF; i++)
		c[$i] = i
	next
}
function f(k) { return $c[k] == "" ? "-" : $c[k] }
{
	print f("bench") "." f("backing") "." f("level") "." f("iface") "." \
		f("size_bytes") "." f("chunk_bytes") "." f("unmap_chunk_bytes") "." \
		f("metric") "." f("rep"), $c["value"], $c["unit"]
}
