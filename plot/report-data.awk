# The data of the report's charts, selected from vfio-perf-compare's
# tables: sides.csv (--sides-csv) and compare.csv (--csv, one row per
# side and case, docs/results.md). For each chart NAME it writes
# WORK/NAME.dat and WORK/NAME.vars.gp (the gnuplot variables of its
# kind's .gp) and prints one manifest line "KIND<TAB>NAME<TAB>caption".
#
#   awk -f report-lib.awk -f report-data.awk -v work=DIR -v out=OUTDIR
#       -v threshold=PCT [-v mode=timeline -v case_sel=CASE -v against=WHICH]
#       [-v dma_size=BYTES] kind=sides sides.csv kind=compare compare.csv
#
# Medians, their CIs (hierarchical bootstrap), GiB/s, ratios and
# verdicts are columns of compare.csv, drawn as they are. Exits 3 with a
# message when the data asked for (--size, the timeline's case) is not
# there.

BEGIN {
	nsides = 0
	ncases = 0
}

FNR == 1 {
	delete col
	csv_header($0, col)
	next
}

kind == "sides" {
	csv_split($0, f)
	lab[nsides++] = f[col["label"]]
	accel = f[col["accel"]]
	next
}

kind == "compare" {
	csv_split($0, f)
	k = f[col["case"]]
	if (!(k in seen)) {
		seen[k] = 1
		cases[++ncases] = k
		split("bench backing level iface size_bytes size chunk unmap_chunk metric unit", names, " ")
		for (i = 1; i in names; i++)
			attr[k, names[i]] = f[col[names[i]]]
	}
	j = f[col["side"]]
	med[j, k] = f[col["median"]]
	cilo[j, k] = f[col["ci_lo"]]
	cihi[j, k] = f[col["ci_hi"]]
	gib[j, k] = f[col["gib_per_s"]]
	giblo[j, k] = f[col["gib_per_s_ci_lo"]]
	gibhi[j, k] = f[col["gib_per_s_ci_hi"]]
	ratio[j, k] = f[col["ratio"]]
	rlo[j, k] = f[col["ratio_ci_lo"]]
	rhi[j, k] = f[col["ratio_ci_hi"]]
	verdict[j, k] = f[col["verdict"]]
	next
}

function a(k, name) {
	return attr[k, name]
}

# 1 regressed, -1 improved, 0 otherwise: the markers' column.
function vcode(v) {
	return v == "regressed" ? 1 : v == "improved" ? -1 : 0
}

function num(v) {
	return v == "" ? "NaN" : v
}

# A throughput ratio from a time ratio new/base: base time / new time.
function inv(v) {
	return (v == "" || v <= 0) ? "NaN" : 1 / v
}

function safe(s) {
	gsub(/[^A-Za-z0-9._-]+/, "_", s)
	return s
}

# How a case is mapped and unmapped: "whole-range calls" or
# "2M map chunks, whole-range unmap chunks".
function chunk_desc(k) {
	if (a(k, "chunk") == "" && a(k, "unmap_chunk") == "")
		return "whole-range calls"
	return (a(k, "chunk") == "" ? "whole-range" : a(k, "chunk")) " map chunks, " \
	       (a(k, "unmap_chunk") == "" ? "whole-range" : a(k, "unmap_chunk")) " unmap chunks"
}

# Sort @v[1..n] ascending as numbers.
function nsort(v, n,    i, j, x) {
	for (i = 2; i <= n; i++) {
		x = v[i]
		for (j = i - 1; j >= 1 && v[j] + 0 > x + 0; j--)
			v[j + 1] = v[j]
		v[j + 1] = x
	}
}

# The unit step and name that show @v (in @unit: ns, B/s, anything else
# as is) with a few digits: sets SCALE and SCALE_UNIT. An axis choice.
function pick_scale(v, unit,    n, u, i, step) {
	SCALE = 1
	SCALE_UNIT = unit
	if (unit == "ns") {
		n = split("ns us ms s", u, " ")
		step = 1000
	} else if (unit == "B/s") {
		n = split("B/s KiB/s MiB/s GiB/s TiB/s", u, " ")
		step = 1024
	} else {
		return
	}
	if (v < 0) v = -v
	for (i = 1; v >= step && i < n; i++) {
		v /= step
		SCALE *= step
	}
	SCALE_UNIT = u[i]
}

# The gnuplot variables every chart has: data, out, title, the side labels.
function vars_begin(name, title,    f, i) {
	f = work "/" name ".vars.gp"
	printf "data = %s\nout = %s\ntitle = %s\nnsides = %d\narray lab[%d]\n",
	       gp_str(work "/" name ".dat"), gp_str(out "/" name),
	       gp_str(title "  [" accel_desc(accel) "]"), nsides, nsides > f
	for (i = 0; i < nsides; i++)
		printf "lab[%d] = %s\n", i + 1, gp_str(lab[i]) > f
	return f
}

function chart(kind, name, caption) {
	printf "%s\t%s\t%s\n", kind, name, caption
	close(work "/" name ".vars.gp")
	close(work "/" name ".dat")
}

function is_dma_phase(k) {
	return a(k, "bench") == "dma" && a(k, "unit") == "ns" &&
	       (a(k, "metric") == "map" || a(k, "metric") == "unmap")
}

# Size sweeps: per (backing, iface, chunks) with >= 2 sizes, map and
# unmap GiB/s per side and the throughput ratio new/base below.
function sweeps(    i, k, g, ng, gl, gs, sz, n, s, j, name, dat, vf, np, ph, x,
		val, xt, rok, phase) {
	ng = 0
	for (i = 1; i <= ncases; i++) {
		k = cases[i]
		if (!is_dma_phase(k))
			continue
		g = a(k, "backing") SUBSEP a(k, "iface") SUBSEP chunk_desc(k)
		if (!(g in gseen)) {
			gseen[g] = 1
			gl[++ng] = g
		}
		if (!((g, a(k, "size_bytes")) in gs)) {
			gs[g, a(k, "size_bytes")] = 1
			gsizes[g] = gsizes[g] " " a(k, "size_bytes")
		}
		gphase[g, a(k, "metric")] = 1
		gkey[g, a(k, "metric"), a(k, "size_bytes")] = k
	}
	for (i = 1; i <= ng; i++) {
		g = gl[i]
		n = split(substr(gsizes[g], 2), sz, " ")
		if (n < 2)
			continue
		nsort(sz, n)
		split(g, gp, SUBSEP)
		name = "sweep-" safe(gp[1] "-" gp[2] (gp[3] == "whole-range calls" ? "" : "-" gp[3]))
		dat = work "/" name ".dat"
		vf = vars_begin(name, "VFIO DMA map and unmap throughput: " gp[1] ", " gp[2] ", " gp[3])
		np = 0
		for (ph = 1; ph <= 2; ph++) {
			x = ph == 1 ? "map" : "unmap"
			if ((g, x) in gphase)
				phase[++np] = x
		}
		# Blocks 0 .. np-1: GiB/s per side; np .. 2np-1: ratios.
		for (ph = 1; ph <= np; ph++) {
			for (s = 1; s <= n; s++) {
				k = gkey[g, phase[ph], sz[s]]
				printf "%s", sz[s] > dat
				for (j = 0; j < nsides; j++)
					printf " %s %s %s", num(gib[j, k]), num(giblo[j, k]),
					       num(gibhi[j, k]) > dat
				printf "\n" > dat
			}
			printf "\n\n" > dat
		}
		for (ph = 1; ph <= np; ph++) {
			rok[ph] = 0
			for (s = 1; s <= n; s++) {
				k = gkey[g, phase[ph], sz[s]]
				printf "%s", sz[s] > dat
				for (j = 1; j < nsides; j++) {
					val = inv(ratio[j, k])
					rok[ph] += val != "NaN"
					printf " %s %s %s %d", val, inv(rhi[j, k]),
					       inv(rlo[j, k]), vcode(verdict[j, k]) > dat
				}
				printf "\n" > dat
			}
			printf "\n\n" > dat
		}
		xt = ""
		for (s = 1; s <= n; s++)
			xt = xt (s > 1 ? ", " : "") "\"" a(gkey[g, phase[1], sz[s]], "size") "\" " sz[s]
		printf "nphase = %d\narray phase[%d]\narray rok[%d]\n", np, np, np > vf
		for (ph = 1; ph <= np; ph++)
			printf "phase[%d] = %s\nrok[%d] = %d\n", ph, gp_str(phase[ph]),
			       ph, (rok[ph] > 0) > vf
		printf "xt = %s\nxmin = %.17g\nxmax = %.17g\nthr = %.17g\n", gp_str("(" xt ")"),
		       sz[1] / 1.5, sz[n] * 1.5, threshold / 100 > vf
		chart("sweep", name, "DMA map and unmap throughput against buffer size: " \
		      gp[1] ", " gp[2] ", " gp[3])
	}
}

# One block of clustered bars: a row per x label, per side the median
# and its CI, in GiB/s when @gibs, else divided by @scale. Labels no side
# measured are left out.
function bar_rows(dat, xs, nx, kk, gibs, scale,    i, j, k, any, lo, hi) {
	for (i = 1; i <= nx; i++) {
		k = kk[xs[i]]
		any = 0
		for (j = 0; j < nsides; j++)
			any = any || med[j, k] != ""
		if (!any)
			continue
		printf "%s", xs[i] > dat
		for (j = 0; j < nsides; j++) {
			lo = cilo[j, k]; hi = cihi[j, k]
			if (!gibs && lo != "" && lo > 0 && (BARS_MIN == "" || lo / scale < BARS_MIN))
				BARS_MIN = lo / scale
			if (!gibs && hi != "" && hi / scale > BARS_MAX)
				BARS_MAX = hi / scale
			if (gibs)
				printf " %s %s %s", num(gib[j, k]), num(giblo[j, k]), num(gibhi[j, k]) > dat
			else if (med[j, k] == "")
				printf " NaN NaN NaN" > dat
			else
				printf " %.17g %.17g %.17g", med[j, k] / scale, lo / scale,
				       hi / scale > dat
		}
		printf "\n" > dat
	}
	printf "\n\n" > dat
}

function bars_begin(name, title, np) {
	BARS_VF = vars_begin(name, title)
	printf "npanels = %d\narray ptitle[%d]\narray ylab[%d]\narray ylog[%d]\n" \
	       "array ymin[%d]\n", np, np, np, np, np > BARS_VF
}

# The panel's title and y axis. Throughput starts from zero; other
# figures spanning 20x or more (PTE against PUD) go on a log axis, whose
# bottom stays below the smallest bar (BARS_MIN, BARS_MAX: bar_rows()).
function bars_panel(p, title, ylabel) {
	if (BARS_MIN == "") BARS_MIN = 1
	printf "ptitle[%d] = %s\nylab[%d] = %s\nylog[%d] = %d\nymin[%d] = %.17g\n",
	       p, gp_str(title), p, gp_str(ylabel), p,
	       (ylabel != "GiB/s" && BARS_MAX >= 20 * BARS_MIN), p, BARS_MIN > BARS_VF
	BARS_MIN = ""
	BARS_MAX = 0
}

# DMA map and unmap GiB/s per backing at one size, whole-range calls,
# one chart per interface.
function dma_bars(    i, k, cnt, best, s, nif, ifs, ifseen, f, nb, bs, bseen,
		  kk, np, ph, x, name, xs, km, has, human) {
	for (i = 1; i <= ncases; i++) {
		k = cases[i]
		if (is_dma_phase(k) && a(k, "metric") == "map" && chunk_desc(k) == "whole-range calls")
			cnt[a(k, "size_bytes")]++
	}
	best = dma_size
	if (best == "")
		for (s in cnt)
			if (best == "" || cnt[s] > cnt[best] ||
			    (cnt[s] == cnt[best] && s + 0 > best + 0))
				best = s
	if (dma_size != "" && !(best in cnt)) {
		print "--size " dma_size_text ": no DMA case of that size with whole-range calls" > "/dev/stderr"
		exit 3
	}
	if (best == "")
		return
	nif = 0
	for (i = 1; i <= ncases; i++) {
		k = cases[i]
		if (!is_dma_phase(k) || a(k, "size_bytes") != best ||
		    chunk_desc(k) != "whole-range calls")
			continue
		human = a(k, "size")
		f = a(k, "iface")
		if (!(f in ifseen)) {
			ifseen[f] = 1
			ifs[++nif] = f
		}
		if (!((f, a(k, "backing")) in bseen)) {
			bseen[f, a(k, "backing")] = 1
			bs[f, ++nb[f]] = a(k, "backing")
		}
		km[f, a(k, "metric"), a(k, "backing")] = k
		has[f, a(k, "metric")] = 1
	}
	for (f = 1; f <= nif; f++) {
		name = "bars-dma-" safe(ifs[f] == "" ? "none" : ifs[f]) "-" human
		np = has[ifs[f], "map"] + has[ifs[f], "unmap"]
		bars_begin(name, "VFIO DMA throughput per backing: " human \
			   " buffers, whole-range calls, " ifs[f], np)
		delete xs
		for (i = 1; i <= nb[ifs[f]]; i++)
			xs[i] = bs[ifs[f], i]
		ph = 0
		for (x = 1; x <= 2; x++) {
			s = x == 1 ? "map" : "unmap"
			if (!has[ifs[f], s])
				continue
			delete kk
			for (i = 1; i <= nb[ifs[f]]; i++)
				kk[xs[i]] = km[ifs[f], s, xs[i]]
			bar_rows(work "/" name ".dat", xs, nb[ifs[f]], kk, 1, 1)
			bars_panel(++ph, "VFIO DMA " s, "GiB/s")
		}
		chart("bars", name, "DMA map and unmap throughput per backing, " \
		      human " buffers, whole-range calls, " ifs[f])
	}
}

# BAR pfnmap figures per page-table level, one panel per metric, one
# chart per BAR mapping size.
function mmio_bars(    i, k, nsz, sz, szseen, szh, s, nlv, order, m, mets, nm, mt,
		   kk, name, mx, j, ph, what, xs, mk, mhas, lhas, lseen, unit) {
	split("faults fault-in bar-map load-ns", mets, " ")
	what["faults"] = "page faults"
	what["fault-in"] = "fault-in time"
	what["bar-map"] = "VFIO DMA-map of the mmapped BAR"
	what["load-ns"] = "load latency"
	split("pte pmd pud auto", order, " ")
	for (i = 1; i <= ncases; i++) {
		k = cases[i]
		if (a(k, "bench") != "mmio" || a(k, "backing") != "bar" ||
		    a(k, "level") == "" || !(a(k, "metric") in what))
			continue
		if (!(a(k, "size_bytes") in szseen)) {
			szseen[a(k, "size_bytes")] = 1
			sz[++nsz] = a(k, "size_bytes")
			szh[nsz] = a(k, "size")
		}
		mk[a(k, "size_bytes"), a(k, "metric"), a(k, "level")] = k
		mhas[a(k, "size_bytes"), a(k, "metric")] = 1
		lhas[a(k, "size_bytes"), a(k, "level")] = 1
	}
	for (s = 1; s <= nsz; s++) {
		delete xs
		nlv = 0
		for (i = 1; i <= 4; i++)
			if ((sz[s], order[i]) in lhas)
				xs[++nlv] = order[i]
		nm = 0
		for (m = 1; m <= 4; m++)
			if ((sz[s], mets[m]) in mhas)
				mt[++nm] = mets[m]
		name = "bars-mmio-" szh[s]
		bars_begin(name, "BAR pfnmap per page-table level: " szh[s] " BAR mapping", nm)
		for (ph = 1; ph <= nm; ph++) {
			delete kk
			mx = 0
			unit = ""
			for (i = 1; i <= nlv; i++) {
				k = mk[sz[s], mt[ph], xs[i]]
				kk[xs[i]] = k
				if (a(k, "unit") != "") unit = a(k, "unit")
				for (j = 0; j < nsides; j++)
					if (med[j, k] != "" && med[j, k] > mx)
						mx = med[j, k]
			}
			pick_scale(mx, unit)
			bar_rows(work "/" name ".dat", xs, nlv, kk, 0, SCALE)
			bars_panel(ph, what[mt[ph]] " (" mt[ph] ")", SCALE_UNIT)
		}
		chart("bars", name, "BAR pfnmap per page-table level, " szh[s] \
		      " BAR mapping: " nm " metric(s)")
	}
}

# The timeline of case @case_sel across the sides in order.
function timeline(    k, j, mx, name, dat, vf, csv, better, unit) {
	k = case_sel
	if (!(k in seen)) {
		print "no case '" case_sel "' in the comparison (see the last column of vfio-perf-compare's table)" > "/dev/stderr"
		exit 3
	}
	unit = a(k, "unit")
	mx = 0
	for (j = 0; j < nsides; j++)
		if (med[j, k] != "" && med[j, k] > mx)
			mx = med[j, k]
	pick_scale(mx, unit)
	name = "timeline-" safe(case_sel)
	dat = work "/" name ".dat"
	csv = work "/timeline.csv"
	print "position,label,median,ci_lo,ci_hi,unit,against,ratio,ratio_ci_lo,ratio_ci_hi,verdict" > csv
	for (j = 0; j < nsides; j++) {
		printf "%d %s %s %s %s\n", j + 1,
		       med[j, k] == "" ? "NaN" : med[j, k] / SCALE,
		       cilo[j, k] == "" ? "NaN" : cilo[j, k] / SCALE,
		       cihi[j, k] == "" ? "NaN" : cihi[j, k] / SCALE,
		       j == 0 ? "NaN" : vcode(verdict[j, k]) > dat
		printf "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", j + 1, csv_quote(lab[j]),
		       med[j, k], cilo[j, k], cihi[j, k], unit,
		       j == 0 ? "" : csv_quote(lab[against == "first" ? 0 : j - 1]),
		       ratio[j, k], rlo[j, k], rhi[j, k], verdict[j, k] > csv
	}
	close(csv)
	better = unit == "B/s" ? "higher is better" : unit == "ns" || unit == "count" ? \
		 "lower is better" : "not judged"
	vf = vars_begin(name, "Timeline of " case_sel)
	printf "ylabel = %s\nagainst = %s\nref = %s\n",
	       gp_str(a(k, "metric") " (" SCALE_UNIT "), " better), gp_str(against),
	       med[0, k] == "" ? "NaN" : med[0, k] / SCALE > vf
	chart("timeline", name, "Timeline of " case_sel ": median and 95% CI per side, " \
	      "verdicts against the " (against == "first" ? "first side" : "previous side"))
}

function csv_quote(s) {
	if (s !~ /[,"]|^[ \t]|[ \t]$/)
		return s
	gsub(/"/, "\"\"", s)
	return "\"" s "\""
}

END {
	if (mode == "timeline") {
		timeline()
		exit 0
	}
	sweeps()
	dma_bars()
	mmio_bars()
}
