# Clustered bars: per x label (backing, page-table level), one bar per
# side with error bars; one panel per phase or metric, from zero or on a
# log axis where figures span orders of magnitude (PTE against PUD).
#
# Variables (a .vars.gp file from report-data.awk, loaded after
# style.gp): data, out, title, nsides, lab[], npanels, ptitle[], ylab[],
# ylog[] (log y axis), ymin[] (the panel's smallest value).
# Data: one block per panel, each row "xlabel  med lo hi" per side.

set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set boxwidth 0.9
set grid ytics
set xtics scale 0
set key outside right top vertical

do for [fmt in "png svg"] {
	eval term(fmt, 1200, 100 + 360 * npanels)
	set output out . "." . fmt
	set multiplot layout npanels, 1 title title . "\nmedian per side; error bars: 95% CI of the median (bootstrap: boots, then samples in each)"
	do for [p = 1:npanels] {
		set title ptitle[p]
		set ylabel ylab[p]
		if (ylog[p]) {
			set logscale y 10
			set yrange [ymin[p] / 3.0:*]
		} else {
			unset logscale y
			set yrange [0:*]
		}
		plot for [i = 1:nsides] data index (p - 1) \
			using (column(3 * i - 1)):(column(3 * i)):(column(3 * i + 1)):xtic(1) \
			lc rgb sidecol(i) title lab[i]
	}
	unset multiplot
	set output
}
