# The data of the report's charts: reads sides.tsv, each side's
# summary.csv (vfio-perf-summary) and compare.csv (vfio-perf-compare),
# writes for each chart NAME the files WORK/NAME.dat and WORK/NAME.vars.gp
# (the gnuplot variables of plot/NAME's kind .gp), and prints one manifest
# line per chart: "KIND<TAB>NAME<TAB>caption".
#
#   gawk -f report-lib.awk -f report-data.awk -v work=DIR -v out=OUTDIR
#        -v threshold=PCT -v mode=report|timeline [-v dma_size=BYTES]
#        [-v case_sel=CASE
#        -v against=previous|first] kind=sides sides.tsv
#        kind=summary side=0 summary-0.csv ... kind=compare compare.csv
#
# Per-side medians and their error bars come from the summaries
# (bootstrap 95% CI of the median, boots pooled); ratios and verdicts
# from compare.csv (hierarchical bootstrap CI: boots, then samples).
# Exits 3 with a message when the timeline's case is not there.

BEGIN {
	FS = "\t"
	nsides = 0
	nkeys = 0
	if (accel == "") accel = "?"
}

kind == "sides" {
	# name label kernel runs boots samples accel source
	lab[nsides++] = $2
	accel = $7
	next
}

kind != "sides" && FNR == 1 {
	csv_header($0, col)
	next
}

# The fields that name a case, joined: the same in both CSVs.
function key_of(f) {
	return f[col["bench"]] SUBSEP f[col["backing"]] SUBSEP f[col["level"]] \
	       SUBSEP f[col["iface"]] SUBSEP f[col["size_bytes"]] SUBSEP \
	       f[col["chunk_bytes"]] SUBSEP f[col["unmap_chunk_bytes"]] SUBSEP \
	       f[col["metric"]] SUBSEP f[col["unit"]]
}

kind == "summary" {
	csv_split($0, f)
	k = key_of(f)
	if (!(k in seen)) {
		seen[k] = 1
		keys[++nkeys] = k
	}
	med[side, k] = f[col["median"]]
	cilo[side, k] = f[col["ci_lo"]]
	cihi[side, k] = f[col["ci_hi"]]
	next
}

kind == "compare" {
	csv_split($0, f)
	k = key_of(f)
	j = f[col["new_side"]]
	ratio[j, k] = f[col["ratio"]]
	rlo[j, k] = f[col["ci_lo"]]
	rhi[j, k] = f[col["ci_hi"]]
	verdict[j, k] = f[col["verdict"]]
	compared[k] = 1
	next
}

# 1 regressed, -1 improved, 0 otherwise: the markers' column.
function vcode(v) {
	return v == "regressed" ? 1 : v == "improved" ? -1 : 0
}

function num(v) {
	return v == "" ? "NaN" : v
}

function inv(v) {
	return (v == "" || v <= 0) ? "NaN" : 1 / v
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

function safe(s) {
	gsub(/[^A-Za-z0-9._-]+/, "_", s)
	return s
}

# Size sweeps: per (backing, iface, chunks) with >= 2 sizes, map and
# unmap GiB/s per side and the throughput ratio new/base below.
function sweeps(    i, k, p, g, ng, gl, gs, sz, nsz, n, s, j, name, dat,
		vf, np, ph, x, val, xt) {
	ng = 0
	for (i = 1; i <= nkeys; i++) {
		split(keys[i], p, SUBSEP)
		if (p[1] != "dma" || p[9] != "ns" || (p[8] != "map" && p[8] != "unmap"))
			continue
		g = p[2] SUBSEP p[4] SUBSEP chunk_desc(p[5], p[6], p[7])
		if (!(g in gseen)) {
			gseen[g] = 1
			gl[++ng] = g
		}
		if (!((g, p[5]) in gs)) {
			gs[g, p[5]] = 1
			gsizes[g] = gsizes[g] " " p[5]
		}
		gphase[g, p[8]] = 1
		gkey[g, p[8], p[5]] = keys[i]
	}
	for (i = 1; i <= ng; i++) {
		g = gl[i]
		n = split(substr(gsizes[g], 2), sz, " ")
		if (n < 2)
			continue
		for (s = 1; s <= n; s++)
			sz[s] += 0
		nsz = asort(sz)
		split(g, p, SUBSEP)
		name = "sweep-" safe(p[1] "-" p[2] (p[3] == "whole-range calls" ? "" : "-" p[3]))
		dat = work "/" name ".dat"
		vf = vars_begin(name, "VFIO DMA map and unmap throughput: " p[1] ", " p[2] ", " p[3])
		np = 0
		for (ph = 1; ph <= 2; ph++) {
			x = ph == 1 ? "map" : "unmap"
			if ((g, x) in gphase)
				phase[++np] = x
		}
		# Blocks 0 .. np-1: GiB/s per side; np .. 2np-1: ratios.
		for (ph = 1; ph <= np; ph++) {
			for (s = 1; s <= nsz; s++) {
				k = gkey[g, phase[ph], sz[s]]
				printf "%s", sz[s] > dat
				for (j = 0; j < nsides; j++)
					printf " %s %s %s", num(gibps(sz[s], med[j, k])),
					       num(gibps(sz[s], cihi[j, k])),
					       num(gibps(sz[s], cilo[j, k])) > dat
				printf "\n" > dat
			}
			printf "\n\n" > dat
		}
		for (ph = 1; ph <= np; ph++) {
			rok[ph] = 0
			for (s = 1; s <= nsz; s++) {
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
		for (s = 1; s <= nsz; s++)
			xt = xt (s > 1 ? ", " : "") "\"" size_fmt(sz[s]) "\" " sz[s]
		printf "nphase = %d\narray phase[%d]\narray rok[%d]\n", np, np, np > vf
		for (ph = 1; ph <= np; ph++)
			printf "phase[%d] = %s\nrok[%d] = %d\n", ph, gp_str(phase[ph]),
			       ph, (rok[ph] > 0) > vf
		printf "xt = %s\nxmin = %.17g\nxmax = %.17g\nthr = %.17g\n", gp_str("(" xt ")"),
		       sz[1] / 1.5, sz[nsz] * 1.5, threshold / 100 > vf
		chart("sweep", name, "DMA map and unmap throughput against buffer size: " \
		      p[1] ", " p[2] ", " p[3])
	}
}

# One block of clustered bars: a row per x label, per side the median
# and its CI scaled by @scale (1/GiB/s conversion when @size is set).
# Labels no side measured are left out.
function bar_rows(dat, xs, nx, kk, size, scale,    i, j, k, m, lo, hi, any) {
	for (i = 1; i <= nx; i++) {
		any = 0
		for (j = 0; j < nsides; j++)
			any = any || med[j, kk[xs[i]]] != ""
		if (!any)
			continue
		printf "%s", xs[i] > dat
		for (j = 0; j < nsides; j++) {
			k = kk[xs[i]]
			m = med[j, k]; lo = cilo[j, k]; hi = cihi[j, k]
			if (lo != "" && lo > 0 && (BARS_MIN == "" || lo / scale < BARS_MIN))
				BARS_MIN = lo / scale
			if (hi != "" && hi / scale > BARS_MAX)
				BARS_MAX = hi / scale
			if (size != "")
				printf " %s %s %s", num(gibps(size, m)), num(gibps(size, hi)),
				       num(gibps(size, lo)) > dat
			else if (m == "")
				printf " NaN NaN NaN" > dat
			else
				printf " %.17g %.17g %.17g", m / scale, lo / scale,
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
	       ylabel != "GiB/s" && BARS_MAX >= 20 * BARS_MIN, p, BARS_MIN > BARS_VF
	BARS_MIN = ""
	BARS_MAX = 0
}

# DMA map and unmap GiB/s per backing at one size, whole-range calls,
# one chart per interface.
function dma_bars(    i, p, cnt, best, s, nif, ifs, ifseen, f, nb, bs, bseen,
		  kk, np, ph, x, name, dat, km) {
	for (i = 1; i <= nkeys; i++) {
		split(keys[i], p, SUBSEP)
		if (p[1] == "dma" && p[8] == "map" && p[9] == "ns" &&
		    chunk_desc(p[5], p[6], p[7]) == "whole-range calls")
			cnt[p[5]]++
	}
	best = dma_size
	if (best == "")
		for (s in cnt)
			if (best == "" || cnt[s] > cnt[best] ||
			    (cnt[s] == cnt[best] && s + 0 > best + 0))
				best = s
	if (dma_size != "" && !(best in cnt)) {
		print "--size " size_fmt(dma_size) ": no DMA case of that size with whole-range calls" > "/dev/stderr"
		exit 3
	}
	if (best == "")
		return
	nif = 0
	for (i = 1; i <= nkeys; i++) {
		split(keys[i], p, SUBSEP)
		if (p[1] != "dma" || p[5] != best || p[9] != "ns" ||
		    (p[8] != "map" && p[8] != "unmap") ||
		    chunk_desc(p[5], p[6], p[7]) != "whole-range calls")
			continue
		if (!(p[4] in ifseen)) {
			ifseen[p[4]] = 1
			ifs[++nif] = p[4]
		}
		if (!((p[4], p[2]) in bseen)) {
			bseen[p[4], p[2]] = 1
			bs[p[4], ++nb[p[4]]] = p[2]
		}
		km[p[4], p[8], p[2]] = keys[i]
		has[p[4], p[8]] = 1
	}
	for (f = 1; f <= nif; f++) {
		name = "bars-dma-" safe(ifs[f] == "" ? "none" : ifs[f]) "-" size_fmt(best)
		dat = work "/" name ".dat"
		np = has[ifs[f], "map"] + has[ifs[f], "unmap"]
		bars_begin(name, "VFIO DMA throughput per backing: " size_fmt(best) \
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
			bar_rows(dat, xs, nb[ifs[f]], kk, best, 1)
			bars_panel(++ph, "VFIO DMA " s, "GiB/s")
		}
		chart("bars", name, "DMA map and unmap throughput per backing, " \
		      size_fmt(best) " buffers, whole-range calls, " ifs[f])
	}
}

# BAR pfnmap figures per page-table level, one panel per metric, one
# chart per BAR mapping size.
function mmio_bars(    i, p, nsz, sz, szseen, s, lv, nlv, order, m, mets,
		   nm, mt, kk, name, dat, mx, j, ph, what) {
	split("faults fault-in bar-map load-ns", mets, " ")
	what["faults"] = "page faults"
	what["fault-in"] = "fault-in time"
	what["bar-map"] = "VFIO DMA-map of the mmapped BAR"
	what["load-ns"] = "load latency"
	split("pte pmd pud auto", order, " ")
	for (i = 1; i <= nkeys; i++) {
		split(keys[i], p, SUBSEP)
		if (p[1] != "mmio" || p[2] != "bar" || p[3] == "" || !(p[8] in what))
			continue
		if (!(p[5] in szseen)) {
			szseen[p[5]] = 1
			sz[++nsz] = p[5]
		}
		mk[p[5], p[8], p[3]] = keys[i]
		mhas[p[5], p[8]] = 1
		lhas[p[5], p[3]] = 1
	}
	for (s = 1; s <= nsz; s++) {
		delete xs
		nlv = 0
		for (i = 1; i <= 4; i++)
			if ((sz[s], order[i]) in lhas)
				xs[++nlv] = order[i]
		for (i = 1; i <= nkeys; i++) {
			split(keys[i], p, SUBSEP)
			if (p[1] == "mmio" && p[5] == sz[s] && p[3] != "" &&
			    p[3] !~ /^(pte|pmd|pud|auto)$/ && (sz[s], p[3]) in lhas &&
			    !((sz[s], p[3]) in lseen)) {
				lseen[sz[s], p[3]] = 1
				xs[++nlv] = p[3]
			}
		}
		nm = 0
		for (m = 1; m <= 4; m++)
			if ((sz[s], mets[m]) in mhas)
				mt[++nm] = mets[m]
		name = "bars-mmio-" size_fmt(sz[s])
		dat = work "/" name ".dat"
		bars_begin(name, "BAR pfnmap per page-table level: " size_fmt(sz[s]) " BAR mapping", nm)
		for (ph = 1; ph <= nm; ph++) {
			delete kk
			mx = 0
			unit = ""
			for (i = 1; i <= nlv; i++) {
				kk[xs[i]] = mk[sz[s], mt[ph], xs[i]]
				split(kk[xs[i]], p, SUBSEP)
				if (p[9] != "") unit = p[9]
				for (j = 0; j < nsides; j++)
					if (med[j, kk[xs[i]]] != "" && med[j, kk[xs[i]]] > mx)
						mx = med[j, kk[xs[i]]]
			}
			pick_scale(mx, unit)
			bar_rows(dat, xs, nlv, kk, "", SCALE)
			bars_panel(ph, what[mt[ph]] " (" mt[ph] ")", SCALE_UNIT)
		}
		chart("bars", name, "BAR pfnmap per page-table level, " size_fmt(sz[s]) \
		      " BAR mapping: " nm " metric(s)")
	}
}

# The timeline of case @case_sel across the sides in order.
function timeline(    i, k, p, found, name, dat, vf, mx, j, csv, better) {
	for (i = 1; i <= nkeys && !found; i++) {
		split(keys[i], p, SUBSEP)
		if (case_name(p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]) == case_sel &&
		    keys[i] in compared)
			found = keys[i]
	}
	if (!found) {
		print "no case '" case_sel "' in the comparison (see the last column of vfio-perf-compare's table)" > "/dev/stderr"
		exit 3
	}
	k = found
	split(k, p, SUBSEP)
	mx = 0
	for (j = 0; j < nsides; j++)
		if (med[j, k] != "" && med[j, k] > mx)
			mx = med[j, k]
	pick_scale(mx, p[9])
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
		       med[j, k], cilo[j, k], cihi[j, k], p[9],
		       j == 0 ? "" : csv_quote(lab[against == "first" ? 0 : j - 1]),
		       ratio[j, k], rlo[j, k], rhi[j, k], verdict[j, k] > csv
	}
	close(csv)
	better = p[9] == "B/s" ? "higher is better" : p[9] == "ns" || p[9] == "count" ? \
		 "lower is better" : "not judged"
	vf = vars_begin(name, "Timeline of " case_sel)
	printf "ylabel = %s\nagainst = %s\nref = %s\n",
	       gp_str(p[8] " (" SCALE_UNIT "), " better), gp_str(against),
	       med[0, k] == "" ? "NaN" : med[0, k] / SCALE > vf
	chart("timeline", name, "Timeline of " case_sel ": median and 95% CI per side, " \
	      "verdicts against the " (against == "first" ? "first side" : "previous side"))
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
