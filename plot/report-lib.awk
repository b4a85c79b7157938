# Functions shared by the report's awk programs (POSIX awk): CSV fields
# by column name, gnuplot and HTML quoting. Every figure, case name and
# size comes as a column of vfio-perf-compare's CSV (docs/results.md);
# nothing here computes one.

# Split CSV @line into @f[1..n] (quoted fields unquoted); returns n.
# vfio-perf-compare's files have no newline inside a field.
function csv_split(line, f,    n, i, c, field, inq) {
	if (index(line, "\"") == 0)
		return split(line, f, ",")
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
	n = csv_split(line, h)
	for (i = 1; i <= n; i++)
		col[h[i]] = i
	return n
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
