# DMA map and unmap throughput against buffer size (log2 x axis), one
# line per side, and below each the throughput ratio of every NEW side to
# BASE with its 95% CI band; regressed and improved sizes are marked.
#
# Variables (a .vars.gp file from report-data.awk, loaded after
# style.gp): data, out, title, nsides, lab[], nphase, phase[], rok[]
# (the phase has ratios), xt (xtics list), xmin, xmax, thr (the
# comparison's threshold, 0.02 for 2%).
# Data: blocks 0 .. nphase-1, per size "size  med lo hi" per side in
# GiB/s; blocks nphase .. 2*nphase-1, per size "size  r lo hi verdict"
# per NEW side (verdict 1 regressed, -1 improved, 0 otherwise).

# Sides side by side around each size, so their error bars do not hide
# each other: a few hundredths of an octave apart.
off(i) = 2 ** ((i - (nsides + 1) / 2.0) * 0.04)
rcol(i) = 4 * i - 6

set grid xtics ytics
set logscale x 2
set xrange [xmin:xmax]
eval "set xtics " . xt
set mxtics 1

do for [fmt in "png svg"] {
	eval term(fmt, 120 + 620 * nphase, 900)
	set output out . "." . fmt
	set multiplot title title . "\nmedian per side; error bars: 95% CI of the median (bootstrap: boots, then samples in each)"
	do for [c = 1:nphase] {
		x0 = 0.04 + (c - 1) * 0.94 / nphase
		set lmargin at screen x0 + 0.03
		set rmargin at screen x0 + 0.94 / nphase - 0.02
		set tmargin at screen 0.88
		set bmargin at screen 0.46
		set yrange [0:*]
		set offsets 0, 0, 0, 0
		set ylabel "GiB/s"
		unset xlabel
		set key bottom right box opaque
		set title "VFIO DMA " . phase[c]
		plot for [i = 1:nsides] data index (c - 1) \
			using ($1 * off(i)):(column(3 * i - 1)):(column(3 * i)):(column(3 * i + 1)) \
			with yerrorlines lc rgb sidecol(i) lw 2 pt 7 ps 0.8 title lab[i]

		set tmargin at screen 0.33
		set bmargin at screen 0.08
		set offsets 0, 0, graph 0.08, graph 0.08
		set ylabel "new/base throughput"
		set xlabel "buffer size"
		unset key
		set title phase[c] . " throughput ratio, each NEW side / BASE in its colour above: base time / new time\n" . \
			"band: 95% CI of vfio-perf-compare; dotted: ±threshold; ▼ regressed, ▲ improved"
		if (rok[c]) {
			set yrange [*<1 - 1.5 * thr:1 + 1.5 * thr<*]
			plot 1 with lines dt 2 lc "black" notitle, \
				1 - thr with lines dt 3 lc "gray40" notitle, \
				1 + thr with lines dt 3 lc "gray40" notitle, \
				for [i = 2:nsides] data index (nphase + c - 1) \
					using 1:(column(rcol(i) + 1)):(column(rcol(i) + 2)) \
					with filledcurves fs transparent solid 0.2 noborder lc rgb sidecol(i) notitle, \
				for [i = 2:nsides] data index (nphase + c - 1) using 1:(column(rcol(i))) \
					with linespoints lc rgb sidecol(i) lw 2 pt 7 ps 0.8 title lab[i] . " / " . lab[1], \
				for [i = 2:nsides] data index (nphase + c - 1) \
					using 1:(column(rcol(i) + 3) == 1 ? column(rcol(i)) : NaN) \
					with points pt 11 ps 2 lc rgb red title (i == 2 ? "regressed" : ""), \
				for [i = 2:nsides] data index (nphase + c - 1) \
					using 1:(column(rcol(i) + 3) == -1 ? column(rcol(i)) : NaN) \
					with points pt 9 ps 2 lc rgb green title (i == 2 ? "improved" : "")
		} else {
			set yrange [0.5:1.5]
			set label 1 "no ratio: BASE or NEW lacks these cases" at graph 0.5, 0.5 center
			plot 1 with lines dt 2 lc "black" notitle
			unset label 1
		}
	}
	unset multiplot
	set output
}
