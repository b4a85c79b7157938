# Functions shared by the report's gawk programs: CSV fields, sizes,
# values and case names written the way vfio-perf-compare writes them,
# gnuplot and HTML quoting.

# Split CSV @line into @f[1..n] (quoted fields unquoted); returns n.
# The bench's files have no newline inside a field.
function csv_split(line, f,    n, i, c, field, inq) {
	if (index(line, "\"") == 0)
		return split(line, f, ",")
	delete f
	n = 0
	field = ""
	inq = 0
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (inq && c == "\"" && substr(line, i + 1, 1) == "\"") {
			field = field c
			i++
		} else if (c == "\"") {
			inq = !inq
		} else if (!inq && c == ",") {
			f[++n] = field
			field = ""
		} else {
			field = field c
		}
	}
	f[++n] = field
	return n
}

# Column numbers of header @line into @col[name].
function csv_header(line, col,    h, n, i) {
	delete col
	n = csv_split(line, h)
	for (i = 1; i <= n; i++)
		col[h[i]] = i
	return n
}

function csv_quote(s) {
	if (s !~ /[,"]|^[ \t]|[ \t]$/)
		return s
	gsub(/"/, "\"\"", s)
	return "\"" s "\""
}

# 1073741824 -> 1G, like size_format(): the largest exact binary unit.
function size_fmt(v,    u, i) {
	if (v !~ /^[0-9]+$/ || v == 0)
		return v
	split("K M G T", u, " ")
	for (i = 4; i >= 1; i--)
		if (v % (2 ^ (10 * i)) == 0)
			return (v / 2 ^ (10 * i)) u[i]
	return v
}

# "dma/hugetlb-2m/type1v2/1G/map": the case name of the table's last
# column (vfio-perf-compare's case_name()).
function case_name(bench, backing, level, iface, size, chunk, uchunk, metric,
		   name) {
	name = bench
	if (backing != "") name = name "/" backing
	if (level != "") name = name "/" level
	if (iface != "") name = name "/" iface
	if (size != "") name = name "/" size_fmt(size)
	if (chunk != "" && chunk != size && chunk != "0")
		name = name "/chunk-" size_fmt(chunk)
	if (uchunk != "" && uchunk != size && uchunk != "0")
		name = name "/unmap-chunk-" size_fmt(uchunk)
	return name "/" metric
}

# How a chunked case is mapped and unmapped: "whole-range calls" or
# "2M map chunks, 64M unmap chunks".
function chunk_desc(size, chunk, uchunk) {
	if (chunk == "" || chunk == "0") chunk = size
	if (uchunk == "" || uchunk == "0") uchunk = size
	if (chunk == size && uchunk == size)
		return "whole-range calls"
	return (chunk == size ? "whole-range" : size_fmt(chunk)) " map chunks, " \
	       (uchunk == size ? "whole-range" : size_fmt(uchunk)) " unmap chunks"
}

# The unit step and name that show @v (in @unit: ns, B/s, anything else
# as is) with a few digits: sets SCALE and SCALE_UNIT.
function pick_scale(v, unit,    n, u, i, step) {
	SCALE = 1
	SCALE_UNIT = unit
	if (unit == "ns") {
		n = split("ns us ms s", u, " ")
		step = 1000
	} else if (unit == "B/s") {
		n = split("B/s KiB/s MiB/s GiB/s TiB/s", u, " ")
		step = 1024
	} else {
		return
	}
	if (v < 0) v = -v
	for (i = 1; v >= step && i < n; i++) {
		v /= step
		SCALE *= step
	}
	SCALE_UNIT = u[i]
}

# A value as vfio-perf-compare prints it: "1.648 ms", "262144", "-".
function fmt_value(v, unit,    a) {
	if (v == "")
		return "-"
	if (unit != "ns" && unit != "B/s")
		return (v == int(v)) ? sprintf("%d", v) : sprintf("%.4g", v)
	pick_scale(v, unit)
	v /= SCALE
	a = v < 0 ? -v : v
	return sprintf(a >= 100 ? "%.1f %s" : a >= 10 ? "%.2f %s" : "%.3f %s",
		       v, SCALE_UNIT)
}

# Throughput in GiB/s of @size bytes in @ns nanoseconds; "" if unknown.
function gibps(size, ns) {
	if (ns == "" || ns <= 0)
		return ""
	return size / 2 ^ 30 / (ns / 1e9)
}

# A gnuplot string literal.
function gp_str(s) {
	gsub(/'/, "''", s)
	return "'" s "'"
}

function html(s) {
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	gsub(/"/, "\\&quot;", s)
	return s
}

# What the figures of accel @mode are, for titles.
function accel_desc(mode) {
	if (mode == "icount")
		return "icount: deterministic, guest instructions"
	if (mode == "tcg")
		return "TCG: wall clock, emulated"
	if (mode == "kvm")
		return "KVM: real time"
	if (mode == "none")
		return "bare metal: real time"
	return mode ": unknown accel mode"
}
