# report.html of plot/report.sh: the sides, the verdict tables of
# compare.csv and the charts, one static page (no network; the only
# script sets the page title to "charts-ok N" or "charts-broken K" once
# every image has loaded or failed, for tests/cli/test_report.sh).
#
#   gawk -f report-lib.awk -f report-html.awk -v heading=TEXT -v rc=N
#        -v threshold=PCT [-v case_sel=CASE -v against=WHICH]
#        kind=sides sides.tsv kind=compare compare.csv kind=charts charts.tsv

BEGIN {
	FS = "\t"
	nsides = 0
	nrows = 0
	ncharts = 0
	exit_text[0] = "no case regressed"
	exit_text[1] = "a case regressed"
	exit_text[2] = "incomplete: a case of a base side could not be compared, or a chart could not be drawn"
}

kind == "sides" {
	# name label kernel runs boots samples accel source
	side[nsides++] = $0
	accel = $7
	next
}

kind == "compare" && FNR == 1 {
	csv_header($0, col)
	next
}

kind == "compare" {
	n = csv_split($0, f)
	nrows++
	for (i = 1; i <= n; i++)
		row[nrows, i] = f[i]
	next
}

kind == "charts" {
	chart[++ncharts] = $0
	next
}

function c(r, name) {
	return row[r, col[name]]
}

function verdict_cell(v,    cls) {
	cls = v == "~" ? "same" : v
	return "<td class=\"v v-" cls "\">" html(v) "</td>"
}

function stat_cell(r, which, unit) {
	if (c(r, which "_median") == "")
		return "<td>-</td>"
	return "<td>" html(fmt_value(c(r, which "_median"), unit)) \
	       "<br><small>p5&ndash;p95 " html(fmt_value(c(r, which "_p5"), unit)) \
	       " &ndash; " html(fmt_value(c(r, which "_p95"), unit)) "</small></td>"
}

function ratio_cell(r) {
	if (c(r, "ratio") == "")
		return "<td>-</td><td>-</td>"
	return sprintf("<td>%+.1f%%</td><td>%.4f <small>[%.4f, %.4f]</small></td>",
		       100 * (c(r, "ratio") - 1), c(r, "ratio"),
		       c(r, "ci_lo") == "" ? 0 : c(r, "ci_lo"),
		       c(r, "ci_hi") == "" ? 0 : c(r, "ci_hi"))
}

function verdict_tables(    r, j, last, name, unit, cls, counts, v, nv, order) {
	last = ""
	for (r = 1; r <= nrows; r++) {
		j = c(r, "new_side")
		if (j != last) {
			if (last != "")
				print "</tbody></table>"
			printf "<h3>%s &rarr; %s</h3>\n", html(c(r, "base_label")),
			       html(c(r, "new_label"))
			print "<table class=\"verdicts\"><thead><tr><th>case</th><th>base median</th>" \
			      "<th>new median</th><th>change</th><th>ratio new/base [95% CI]</th>" \
			      "<th>p (Holm)</th><th>verdict</th></tr></thead><tbody>"
			last = j
		}
		unit = c(r, "unit")
		name = case_name(c(r, "bench"), c(r, "backing"), c(r, "level"), c(r, "iface"),
				 c(r, "size_bytes"), c(r, "chunk_bytes"),
				 c(r, "unmap_chunk_bytes"), c(r, "metric"))
		cls = name == case_sel ? " class=\"sel\"" : ""
		printf "<tr%s><td class=\"case\">%s%s</td>%s%s%s<td>%s</td>%s</tr>\n", cls,
		       html(name), c(r, "verified") == "no" ? " <b>UNVERIFIED</b>" : "",
		       stat_cell(r, "base", unit), stat_cell(r, "new", unit), ratio_cell(r),
		       c(r, "p_holm") == "" ? "-" : sprintf("%.3g", c(r, "p_holm")),
		       verdict_cell(c(r, "verdict"))
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

function sides_table(    i, s) {
	print "<table class=\"sides\"><thead><tr><th>side</th><th>label</th><th>kernel</th>" \
	      "<th>runs</th><th>boots</th><th>samples</th><th>accel</th><th>source</th></tr></thead><tbody>"
	for (i = 0; i < nsides; i++) {
		split(side[i], s, "\t")
		printf "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>" \
		       "<td>%s</td><td class=\"src\">%s</td></tr>\n", html(s[1]), html(s[2]),
		       html(s[3]), s[4], s[5], s[6], html(s[7]),
		       html(s[8])
	}
	print "</tbody></table>"
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
	       "ratio's 95%% CI excludes 1, it exceeds the threshold and the Holm-adjusted p < 0.05.</p>\n",
	       rc, exit_text[rc], html(threshold)
	print "<h2>Sides</h2>"
	sides_table()
	print "<h2>Verdicts</h2>"
	if (case_sel != "")
		printf "<p>Each side against the %s side; the timeline's case is in bold.</p>\n",
		       against == "first" ? "first" : "previous"
	verdict_tables()
	print "<h2>Charts</h2>"
	print "<p>Throughput is the buffer size over the median time. Error bars of the lines and " \
	      "bars: bootstrap 95% CI of each side's median, samples of all its boots pooled " \
	      "(vfio-perf-summary). Ratio bands: vfio-perf-compare's 95% CI of the ratio of medians, " \
	      "resampling boots, then samples within each boot: the interval the verdicts use.</p>"
	charts()
	print "<h2>Files</h2>"
	print "<p><a href=\"table.txt\">table.txt</a> (vfio-perf-compare's table), " \
	      "<a href=\"compare.csv\">compare.csv</a> (per case: medians, p5/p95, ratio, CI, p, " \
	      "verdict), summary-*.csv (each side's statistics, all its runs pooled).</p>"
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
