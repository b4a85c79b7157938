# report.html of plot/report.sh: the sides, the verdict tables and the
# charts, one static page (no network; the only script sets the page
# title to "charts-ok N" or "charts-broken K" once every image has
# loaded or failed, for tests/cli/test_report.sh). Every figure is a
# column of vfio-perf-compare's tables (docs/results.md), shown as is.
#
#   awk -f report-lib.awk -f report-html.awk -v heading=TEXT -v rc=N
#       -v threshold=PCT [-v case_sel=CASE -v against=WHICH]
#       kind=sides sides.csv kind=compare compare.csv kind=charts charts.tsv
#       kind=notes messages.txt kind=configs configs.txt

BEGIN {
	nsides = 0
	nrows = 0
	ncharts = 0
	nnotes = 0
	nconfigs = 0
	exit_text[0] = "no case regressed"
	exit_text[1] = "a case regressed"
	exit_text[2] = "incomplete: a case of a reference side could not be compared, or a chart could not be drawn"
}

(kind == "sides" || kind == "compare") && FNR == 1 {
	delete col
	csv_header($0, col)
	ncols = split($0, colnames, ",")
	next
}

kind == "sides" {
	n = csv_split($0, f)
	for (i = 1; i <= n; i++)
		side[nsides, colnames[i]] = f[i]
	nsides++
	accel = f[col["accel"]]
	next
}

kind == "compare" {
	n = csv_split($0, f)
	nrows++
	for (i = 1; i <= n; i++)
		row[nrows, colnames[i]] = f[i]
	at[f[col["side"]], f[col["case"]]] = nrows
	next
}

kind == "charts" {
	chart[++ncharts] = $0
	next
}

kind == "notes" {
	note[++nnotes] = $0
	next
}

kind == "configs" {
	config[++nconfigs] = $0
	next
}

function c(r, name) {
	return row[r, name]
}

function verdict_cell(v,    cls) {
	cls = v == "~" ? "same" : v
	return "<td class=\"v v-" cls "\">" html(v) "</td>"
}

# A side's median with its p5-p95 in row @r (0: the side has no row).
function stat_cell(r) {
	if (!r || c(r, "median") == "")
		return "<td>-</td>"
	return "<td>" html(c(r, "median_text")) "<br><small>p5&ndash;p95 " \
	       html(c(r, "p5_text")) " &ndash; " html(c(r, "p95_text")) "</small></td>"
}

# A number of compare.csv with @fmt's digits; "inf" and the like as is.
function fmt(f, v) {
	return v ~ /^-?[0-9]/ ? sprintf(f, v) : v
}

function ratio_cell(r) {
	if (c(r, "ratio") == "")
		return "<td>-</td><td>-</td>"
	return "<td>" html(c(r, "change")) "</td><td>" fmt("%.4f", c(r, "ratio")) " <small>[" \
	       fmt("%.4f", c(r, "ratio_ci_lo")) ", " fmt("%.4f", c(r, "ratio_ci_hi")) "]</small></td>"
}

function verdict_tables(    r, j, last, ref, counts, v, nv, order) {
	last = ""
	for (r = 1; r <= nrows; r++) {
		j = c(r, "side")
		if (c(r, "ref_side") == "")
			continue
		ref = c(r, "ref_side")
		if (j != last) {
			if (last != "")
				print "</tbody></table>"
			printf "<h3>%s &rarr; %s</h3>\n", html(side[ref, "label"]),
			       html(side[j, "label"])
			print "<table class=\"verdicts\"><thead><tr><th>case</th><th>base median</th>" \
			      "<th>new median</th><th>change</th><th>ratio new/base [95% CI]</th>" \
			      "<th>p (Holm)</th><th>mde</th><th>verdict</th></tr></thead><tbody>"
			last = j
		}
		printf "<tr%s><td class=\"case\">%s%s</td>%s%s%s<td>%s</td><td>%s</td>%s</tr>\n",
		       c(r, "case") == case_sel ? " class=\"sel\"" : "",
		       html(c(r, "case")), c(r, "verified") == "no" ? " <b>UNVERIFIED</b>" : "",
		       stat_cell(at[ref, c(r, "case")]), stat_cell(r), ratio_cell(r),
		       c(r, "p_holm") == "" ? "-" : fmt("%.3g", c(r, "p_holm")),
		       html(c(r, "mde_text")), verdict_cell(c(r, "verdict"))
		counts[c(r, "verdict")]++
	}
	if (last != "")
		print "</tbody></table>"
	nv = split("regressed improved ~ unstable missing info", order, " ")
	printf "<p>Verdict counts over all tables:"
	for (v = 1; v <= nv; v++)
		printf " %s%d %s", (v > 1 ? "&middot; " : ""), counts[order[v]], html(order[v])
	print ".</p>"
}

# Labels are build names or Debian versions; the release they ran is
# beneath each.
function sides_table(    i) {
	print "<table class=\"sides\"><thead><tr><th>side</th><th>label<br><small>kernel release</small></th>" \
	      "<th>runs</th><th>boots</th><th>samples</th><th>accel</th><th>runs not ok</th>" \
	      "<th>vfio-perf commits</th><th>source</th></tr></thead><tbody>"
	for (i = 0; i < nsides; i++)
		printf "<tr><td>%s</td><td>%s<br><small>%s</small></td><td>%s</td><td>%s</td>" \
		       "<td>%s</td><td>%s</td><td>%s</td><td class=\"src\">%s</td>" \
		       "<td class=\"src\">%s</td></tr>\n", html(side[i, "side_name"]),
		       html(side[i, "label"]), html(side[i, "kernel"]), side[i, "runs"],
		       side[i, "boots"], side[i, "samples"], html(side[i, "accel"]),
		       side[i, "runs_not_ok"], html(side[i, "commits"]), html(side[i, "source"])
	print "</tbody></table>"
}

function notes(    i) {
	if (!nnotes)
		return
	print "<ul class=\"notes\">"
	for (i = 1; i <= nnotes; i++)
		printf "<li>%s</li>\n", html(note[i])
	print "</ul>"
}

# The kernel configs of each pair: the same, differing (the options of
# the groups that move costs, the rest counted), or not known.
function configs(    i) {
	if (!nconfigs)
		return
	print "<h2>Kernel configs</h2>"
	print "<pre class=\"configs\">"
	for (i = 1; i <= nconfigs; i++)
		print html(config[i])
	print "</pre>"
	print "<p>Every differing option: <a href=\"config-diff.csv\">config-diff.csv</a>.</p>"
}

function charts(    i, ch) {
	if (!ncharts) {
		print "<p>No charts: no case has the data a chart needs.</p>"
		return
	}
	for (i = 1; i <= ncharts; i++) {
		split(chart[i], ch, "\t")
		printf "<figure><a href=\"%s.svg\"><img src=\"%s.png\" alt=\"%s\"></a>" \
		       "<figcaption>%s (<a href=\"%s.svg\">SVG</a>, <a href=\"%s.png\">PNG</a>)" \
		       "</figcaption></figure>\n", ch[2], ch[2], html(ch[3]), html(ch[3]),
		       ch[2], ch[2]
	}
}

END {
	print "<!DOCTYPE html>"
	print "<html lang=\"en\"><head><meta charset=\"utf-8\">"
	printf "<title>%s</title>\n", html(heading)
	print "<style>"
	print "body { font-family: sans-serif; margin: 1.5em; color: #222; }"
	print "table { border-collapse: collapse; margin: 0.5em 0 1em; }"
	print "th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: right; vertical-align: top; }"
	print "th { background: #eee; } td.case, td.src { text-align: left; font-family: monospace; }"
	print "th:first-child { text-align: left; }"
	print "pre.configs { background: #f6f6f6; padding: 0.5em; }"
	print "tr.sel td { font-weight: bold; }"
	print "td.v { text-align: center; font-weight: bold; }"
	print ".v-regressed { background: #f6c6c6; color: #7a0000; }"
	print ".v-improved { background: #c8eccb; color: #0d4a16; }"
	print ".v-unstable { background: #fbe8a6; } .v-missing { background: #ddd; } .v-info { color: #666; font-weight: normal; }"
	print ".mode { border-left: 6px solid #1f77b4; padding: 0.4em 0.8em; background: #eef4fa; }"
	print "figure { margin: 1em 0; } img { max-width: 100%; height: auto; border: 1px solid #ddd; }"
	print "</style></head><body>"
	printf "<h1>%s</h1>\n", html(heading)
	printf "<p class=\"mode\"><b>Accel mode: %s.</b> ", html(accel_desc(accel))
	print "icount figures count guest instructions: they measure the code paths a kernel " \
	      "runs, not wall-clock time, and say nothing of hardware speed. TCG figures are the " \
	      "wall clock of an emulated CPU; only KVM and bare-metal figures are real time. " \
	      "Sides of different modes are never compared.</p>"
	printf "<p>vfio-perf-compare exit %d: %s. Threshold %s%%: a change counts only if the " \
	       "ratio's 95%% CI excludes 1, it exceeds the threshold, and the spread between boots " \
	       "cannot explain it (a Holm-corrected t test against the spread of boot medians from " \
	       "the sides' own boots or a calibration; else the Holm-adjusted Mann-Whitney p < 0.05, " \
	       "and with one boot a side the accel mode's floor); a change that passes all but the " \
	       "last is unstable. mde: the smallest change the comparison calls 4 times in 5 " \
	       "(docs/results.md).</p>\n",
	       rc, exit_text[rc], html(threshold)
	print "<h2>Sides</h2>"
	sides_table()
	notes()
	configs()
	print "<h2>Verdicts</h2>"
	if (case_sel != "")
		printf "<p>Each side against the %s side; the timeline's case is in bold.</p>\n",
		       against == "first" ? "first" : "previous"
	verdict_tables()
	print "<h2>Charts</h2>"
	print "<p>Throughput is the buffer size over the median time. Error bars of the lines and " \
	      "bars: 95% CI of each side's median, and ratio bands: 95% CI of the ratio of medians; " \
	      "both from vfio-perf-compare's bootstrap that resamples boots, then samples within each " \
	      "boot: the intervals the verdicts use.</p>"
	charts()
	print "<h2>Files</h2>"
	print "<p><a href=\"table.txt\">table.txt</a> (vfio-perf-compare's table), " \
	      "<a href=\"compare.csv\">compare.csv</a> (a row per side and case: median, p5/p95, " \
	      "CI, GiB/s, ratio, CI, p, floor, mde, verdict), <a href=\"sides.csv\">sides.csv</a> " \
	      "(the sides), <a href=\"config-diff.csv\">config-diff.csv</a> (kernel config " \
	      "options that differ).</p>"
	print "<script>"
	print "window.addEventListener('load', function () {"
	print "\tvar im = document.images, bad = 0;"
	print "\tfor (var i = 0; i < im.length; i++)"
	print "\t\tif (!(im[i].complete && im[i].naturalWidth > 0))"
	print "\t\t\tbad++;"
	print "\tdocument.title = bad ? 'charts-broken ' + bad : 'charts-ok ' + im.length;"
	print "});"
	print "</script>"
	print "</body></html>"
}
