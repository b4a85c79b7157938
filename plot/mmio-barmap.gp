# VFIO DMA-map (and unmap) of a mapped BAR per page-table level: the
# mapping faulted in beforehand ("prefaulted") and fresh ("cold", the
# map call faults it in). Median of the samples, error bars p5..p95.
#
# Variables (gnuplot -e): data (from plot/mmio.sh), out (file name
# without extension), title, sub (its second line: kernel and clock).
# Data: header row, then "level  map lo hi  map-cold lo hi  unmap lo hi
# unmap-cold lo hi", in ms.

set datafile missing "NaN"
set datafile columnheaders
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set boxwidth 0.9
set grid ytics
set xtics scale 0
set yrange [0:*]
set ylabel "ms"
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
	set title "VFIO_IOMMU_MAP_DMA of the BAR mapping"
	plot data using 2:3:4:xtic(1) title "prefaulted" lc rgb "#1f77b4", \
		'' using 5:6:7 title "cold" lc rgb "#ff7f0e"
	set title "VFIO_IOMMU_UNMAP_DMA"
	plot data using 8:9:10:xtic(1) title "prefaulted" lc rgb "#1f77b4", \
		'' using 11:12:13 title "cold" lc rgb "#ff7f0e"
	unset multiplot
	set output
}
