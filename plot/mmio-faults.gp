# Page faults, fault-in time and time per fault of one BAR mapping, one
# bar per page-table level (pte, pmd, pud, auto); median of the samples,
# error bars p5..p95. Log scales: PTE and PUD differ by 2^18 in faults.
#
# Variables (gnuplot -e): data (from plot/mmio.sh), out (file name
# without extension), title, sub (its second line: kernel and clock).
# Data: header row, then "level  faults lo hi  fault-in lo hi
# fault-ns lo hi" (counts and ns).

set datafile missing "NaN"
set datafile columnheaders
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set boxwidth 0.8
set logscale y 10
set grid ytics
set xtics scale 0
unset key

do for [fmt in "pngcairo svg"] {
	if (fmt eq "pngcairo") {
		set terminal pngcairo noenhanced size 900,1100 font ",10"
		set output out.".png"
	} else {
		set terminal svg noenhanced size 900,1100 dynamic font ",10"
		set output out.".svg"
	}
	set multiplot layout 3,1 title title."\n".sub."\nmedian of the samples; error bars p5..p95"
	set title "page faults while touching every 4 KiB once"
	set ylabel "faults"
	set yrange [0.5:*]	# a PUD mapping takes 1 fault: keep its bar visible
	plot data using 2:3:4:xtic(1) lc rgb "#1f77b4"
	set title "fault-in: touching the whole mapping once"
	set ylabel "ms"
	set yrange [*:*]
	plot data using ($5/1e6):($6/1e6):($7/1e6):xtic(1) lc rgb "#ff7f0e"
	set title "time per fault (fault-in / faults)"
	set ylabel "us"
	plot data using ($8/1e3):($9/1e3):($10/1e3):xtic(1) lc rgb "#2ca02c"
	unset multiplot
	set output
}
