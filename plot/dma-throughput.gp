# Map and unmap throughput per backing, one bar per IOMMU interface,
# median with p5..p95 error bars (log scale: 4K and 1G pages differ 10x).
#
# Variables (gnuplot -e): data (the .dat file from plot-run.sh), out
# (file name without extension), title, nif (number of interfaces).
# Data: one block per phase (map, unmap) separated by two blank lines;
# each row "backing  med1 lo1 hi1  med2 lo2 hi2 ...", header row first.

set datafile missing "NaN"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set boxwidth 0.9
set logscale y 2
set grid ytics
set ylabel "GiB/s"
set xtics rotate by -30 scale 0
set key outside right top vertical
set yrange [*:*]

do for [fmt in "pngcairo svg"] {
	if (fmt eq "pngcairo") {
		set terminal pngcairo size 1200,900 font ",10"
		set output out.".png"
	} else {
		set terminal svg size 1200,900 dynamic font ",10"
		set output out.".svg"
	}
	set multiplot layout 2,1 title title
	set title "VFIO DMA map"
	plot for [i=1:nif] data index 0 using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) title columnheader(3*i-1)
	set title "VFIO DMA unmap"
	plot for [i=1:nif] data index 1 using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) title columnheader(3*i-1)
	unset multiplot
	set output
}
