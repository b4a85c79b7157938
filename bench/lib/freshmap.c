// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "freshmap.h"

bool freshmap_read_maps(FILE *maps, uint64_t va, uint64_t len, uint64_t *unused_above)
{
	unsigned long long start, end, above = 0;
	bool seen = false;
	char line[512];

	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%llx-%llx", &start, &end) != 2)
			continue;
		if (start == va && end == va + len)
			seen = true;
		else if (start >= va + len && (!above || start < above))
			above = start;
	}
	*unused_above = above ? above - (va + len) : 0;
	return seen;
}

void freshmap_child(int argc, char **argv)
{
	unsigned long long off, len;
	uint64_t unused;
	bool seen;
	FILE *maps;
	int fd;
	void *p;

	if (argc < 2 || strcmp(argv[1], FRESHMAP_ARG))
		return;
	if (argc != 5 || sscanf(argv[2], "%d", &fd) != 1 ||
	    sscanf(argv[3], "%llu", &off) != 1 || sscanf(argv[4], "%llu", &len) != 1) {
		fprintf(stderr, "%s: internal use only\n", argv[0]);
		exit(2);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED) {
		printf("error %d\n", errno);
		exit(1);
	}
	maps = fopen("/proc/self/maps", "re");
	if (!maps) {
		printf("error %d\n", errno);
		exit(1);
	}
	seen = freshmap_read_maps(maps, (uintptr_t)p, len, &unused);
	printf("va %" PRIxPTR " above %" PRIu64 " seen %d\n", (uintptr_t)p, unused, seen);
	exit(0);
}

/*
 * posix_spawn(), not fork(): glibc spawns with CLONE_VM | CLONE_VFORK,
 * so this process's memory is not made copy-on-write, and its next
 * writes do not fault (a fault count taken after a fork() would be off).
 */
static int spawn_child(int fd, int out, uint64_t off, uint64_t len, pid_t *pid)
{
	char sfd[16], soff[24], slen[24];
	char *argv[] = { "freshmap", FRESHMAP_ARG, sfd, soff, slen, NULL };
	posix_spawn_file_actions_t fa;
	int keep = fcntl(fd, F_DUPFD, 3);	/* no FD_CLOEXEC: inherited */
	int ret;

	if (keep < 0)
		return -errno;
	snprintf(sfd, sizeof(sfd), "%d", keep);
	snprintf(soff, sizeof(soff), "%llu", (unsigned long long)off);
	snprintf(slen, sizeof(slen), "%llu", (unsigned long long)len);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	ret = -posix_spawn(pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(keep);
	return ret;
}

int freshmap_probe(int fd, uint64_t off, uint64_t len, struct freshmap *fm,
		   char *why, size_t whylen)
{
	char buf[96] = "";
	int pipefd[2], status = 0, err, seen;
	uintptr_t addr;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	err = spawn_child(fd, pipefd[1], off, len, &pid);
	if (err) {
		close(pipefd[0]);
		close(pipefd[1]);
		snprintf(why, whylen, "starting a fresh process for mmap(NULL): %s",
			 strerror(-err));
		return err;
	}
	close(pipefd[1]);
	n = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	buf[n > 0 ? n : 0] = '\0';
	if (sscanf(buf, "va %" SCNxPTR " above %" SCNu64 " seen %d", &addr, &fm->unused_above,
		   &seen) == 3) {
		fm->va = addr;
		fm->vma_seen = seen;
		return 0;
	}
	if (sscanf(buf, "error %d", &err) == 1) {
		snprintf(why, whylen, "mmap(NULL) of the BAR in a fresh process: %s",
			 strerror(err));
		return -err;
	}
	snprintf(why, whylen, "the fresh process for mmap(NULL) failed (status 0x%x)",
		 status);
	return -EIO;
}
