# The minimum detectable effect of a calibration (harness/calibrate.sh)
# against boots per side: the median, p90 and largest mde of its judged
# time cases, on a log scale, with the target change (5%) as a line.
#
# Variables (gnuplot -e, before this file, after style.gp): data (the
# calibration's mde.csv), out (path without extension), title.

set datafile separator ","
set logscale y
set grid xtics ytics mytics
set xlabel "boots per side"
set ylabel "minimum detectable effect, % (called 4 times in 5)"
set xtics (1, 2, 3, 5, 8)
set xrange [0.5:8.5]
set key outside bottom center horizontal

do for [fmt in "png svg"] {
	eval term(fmt, 900, 560)
	set output out . "." . fmt
	set title title
	plot data every ::1 using 1:(100 * $3) with linespoints lw 2 pt 7 lc rgb sidecol(1) title "median case", \
		data every ::1 using 1:(100 * $4) with linespoints lw 2 pt 5 lc rgb sidecol(2) title "p90 of cases", \
		data every ::1 using 1:(100 * $5) with linespoints lw 2 pt 9 lc rgb red title "largest", \
		data every ::1 using 1:(100 * $6) with lines dt 2 lc "gray40" title "target"
	set output
}
