// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "faultin.h"
#include "pfnpass.h"
#include "ptdump.h"

_Static_assert(PFNLEVEL_NR_PROBES <= KPROBE_MAX, "more insert probes than a kprobe_set holds");

void pfnpass_open(struct pfnpass *p, struct meta *m)
{
	const char *funcs[PFNLEVEL_NR_PROBES];
	bool avail[PFNLEVEL_NR_PROBES];
	char why[256] = "", key[64];
	struct pfnmap_entries e;
	int n;

	for (size_t i = 0; i < PFNLEVEL_NR_PROBES; i++)
		funcs[i] = pfnlevel_probes[i].func;
	n = kprobe_set_open(&p->kp, funcs, PFNLEVEL_NR_PROBES, why, sizeof(why));
	for (size_t i = 0; i < PFNLEVEL_NR_PROBES; i++) {
		avail[i] = n >= 0 && !p->kp.k[i].why[0];
		snprintf(key, sizeof(key), "kprobe.%s", funcs[i]);
		if (avail[i])
			meta_set(m, key, "available");
		else
			meta_set(m, key, "unavailable: %s", n < 0 ? why : p->kp.k[i].why);
	}
	p->kprobes = pfnlevel_probemap_init(&p->pm, avail);
	p->ptdump = ptdump_find(PTDUMP_DIR, p->ptdump_path, sizeof(p->ptdump_path)) &&
		    !ptdump_count(p->ptdump_path, 0, 0, &e);
	if (p->ptdump)
		meta_set(m, "ptdump", "%s", p->ptdump_path);
	else
		meta_set(m, "ptdump", "unavailable: no readable dump in %s (CONFIG_PTDUMP_DEBUGFS off, or debugfs not mounted)",
			 PTDUMP_DIR);
	meta_set(m, "level_verification", "%s", p->kprobes ? "kprobes" :
		 p->ptdump ? "ptdump" : "fault counts only (they do not prove the level)");
}

void pfnpass_close(struct pfnpass *p)
{
	kprobe_set_close(&p->kp);
}

bool pfnpass_has_probe(const struct pfnpass *p, size_t i)
{
	return i < p->kp.n && !p->kp.k[i].why[0];
}

int pfnpass_run(struct pfnpass *p, struct perfev_set *pe, const struct vfio_bar *bar,
		uint64_t off, uint64_t len, uint64_t residue,
		struct pfnlevel_seen *s, char *note, size_t notelen)
{
	struct faultin_figs f;
	struct bar_mapping m;
	int ret;

	ret = vfio_bar_map(bar, off, len, residue, &m);
	if (ret)
		return ret;
	*s = (struct pfnlevel_seen){ .len = m.len };
	note[0] = '\0';
	ret = p->kprobes ? kprobe_set_start(&p->kp) : 0;
	if (ret)
		snprintf(note, notelen, "kprobe counts unreadable: %s", strerror(-ret));
	faultin_measure(pe, m.va, m.len, &f);
	s->faults = f.faults_rusage;
	if (p->kprobes && !ret)
		s->probed = !kprobe_set_read(&p->kp, s->hits, note, notelen);
	s->probe_note = note[0] ? note : NULL;
	s->dumped = p->ptdump && !ptdump_count(p->ptdump_path, (uintptr_t)m.va,
					       (uintptr_t)m.va + m.len, &s->dump);
	vfio_bar_unmap(&m);
	return 0;
}
