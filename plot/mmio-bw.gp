# Sequential read and write bandwidth per BAR page-table level and for
# the anonymous-memory baselines, with 8-byte and with 64-byte accesses.
# Median of the samples, error bars p5..p95.
#
# Variables (gnuplot -e): data (from plot/mmio.sh), out (file name
# without extension), title, sub (its second line: kernel and clock).
# Data: two blocks (8-byte, then 64-byte accesses), each a header row
# and rows "label  read lo hi  write lo hi" in GB/s (10^9 B/s).

set datafile missing "NaN"
set datafile columnheaders
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set boxwidth 0.9
set grid ytics
set xtics scale 0
set yrange [0:*]
set ylabel "GB/s"
set key outside right top vertical

do for [fmt in "pngcairo svg"] {
	if (fmt eq "pngcairo") {
		set terminal pngcairo noenhanced size 1000,800 font ",10"
		set output out.".png"
	} else {
		set terminal svg noenhanced size 1000,800 dynamic font ",10"
		set output out.".svg"
	}
	set multiplot layout 2,1 title title."\n".sub."\nmedian of the samples; error bars p5..p95"
	do for [b = 0:1] {
		set title (b == 0 ? "8-byte accesses" : "64-byte accesses")
		plot data index b using 2:3:4:xtic(1) title "read" lc rgb "#1f77b4", \
			'' index b using 5:6:7 title "write" lc rgb "#ff7f0e"
	}
	unset multiplot
	set output
}
