# The look shared by the comparison charts of plot/report.sh: output
# terminals, one colour per side (the same side has the same colour in
# every chart), and the verdict colours of the HTML report.

sidecolors = "#1f77b4 #ff7f0e #9467bd #8c564b #17becf #7f7f7f #bcbd22 #e377c2"
sidecol(i) = word(sidecolors, (i - 1) % words(sidecolors) + 1)
red = "#d62728"
green = "#2ca02c"

# The terminal command of output format fmt ("png" or "svg"). Labels are
# kernel releases and backings: no enhanced-text markup in them.
term(fmt, w, h) = fmt eq "png" ? \
	sprintf("set terminal pngcairo noenhanced size %d,%d font ',10'", w, h) : \
	sprintf("set terminal svg noenhanced size %d,%d font ',10' background '#ffffff'", w, h)

set datafile missing "NaN"
