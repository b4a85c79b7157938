# Dependent-load latency against working-set size (log2 x axis), one
# line per BAR page-table level and per anonymous-memory baseline. The
# point is the median over samples of each sample's per-load median; the
# error bars the medians of its p5 and p95, i.e. the spread of the loads
# themselves, not of the samples.
#
# Variables (gnuplot -e): data (from plot/mmio.sh), out (file name
# without extension), title, sub (its second line: kernel and clock),
# labels (the blocks' names, in order).
# Data: one block per label, rows "working-set-bytes  median p5 p95" (ns).

set datafile missing "NaN"
set logscale x 2
set logscale y 10
set grid xtics ytics
set offsets graph 0.03, graph 0.03, 0, 0	# room for the end labels
set xlabel "working set (one load per 4 KiB page, random order)"
set ylabel "ns per load"
set xtics ("4K" 2**12, "16K" 2**14, "64K" 2**16, "256K" 2**18, "1M" 2**20, \
	   "4M" 2**22, "16M" 2**24, "64M" 2**26, "256M" 2**28, "1G" 2**30, \
	   "4G" 2**32, "16G" 2**34)
set key outside right top vertical
colors = "#1f77b4 #ff7f0e #2ca02c #9467bd #7f7f7f #000000"

do for [fmt in "pngcairo svg"] {
	if (fmt eq "pngcairo") {
		set terminal pngcairo noenhanced size 1200,700 font ",10"
		set output out.".png"
	} else {
		set terminal svg noenhanced size 1200,700 dynamic font ",10"
		set output out.".svg"
	}
	set title title."\n".sub."\nmedian per load; error bars: p5..p95 of the loads"
	plot for [i = 1:words(labels)] data index (i - 1) using 1:2:3:4 \
		with yerrorlines lw 2 pt 7 ps 0.7 \
		lc rgb word(colors, i) dt 1 + (i > 4) title word(labels, i)
	set output
}
