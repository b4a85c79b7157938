# A regression timeline: one case across sides in the given order, the
# median with its CI per side, and rings on the sides whose verdict
# against the previous (or the first) side is regressed or improved.
#
# Variables (a .vars.gp file from report-data.awk, loaded after
# style.gp): data, out, title, nsides, lab[], ylabel, against, ref (the
# first side's median).
# Data: per side "position med lo hi verdict" (1 regressed, -1 improved).

set grid ytics
set xrange [0.5:nsides + 0.5]
set xtics () rotate by -30
do for [i = 1:nsides] { set xtics add (lab[i] i) }
set offsets 0, 0, graph 0.1, graph 0.1
set ylabel ylabel
set key outside bottom center horizontal

do for [fmt in "png svg"] {
	eval term(fmt, 1200, 650)
	set output out . "." . fmt
	set title title . "\nmedian per side; error bars: 95% CI of the median (bootstrap: boots, then samples in each)"
	plot data using 1:(ref) with lines dt 2 lc "gray40" title "first side's median", \
		data using 1:2:3:4 with yerrorlines lc rgb sidecol(1) lw 2 pt 7 title "median", \
		data using 1:($5 == 1 ? $2 : NaN) with points pt 6 ps 3 lw 3 lc rgb red \
			title "regressed vs the " . against . " side", \
		data using 1:($5 == -1 ? $2 : NaN) with points pt 6 ps 3 lw 3 lc rgb green \
			title "improved vs the " . against . " side"
	set output
}
