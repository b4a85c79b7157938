# vfio-perf: VFIO DMA map/unmap and BAR pfnmap benchmarks.
#
#   make bench   run the default suite (QEMU guest, stock Debian kernel)
#   make test    unit tests, lint, and an integration run in the guest
#   make help    every target and knob
SHELL := /bin/bash
.DEFAULT_GOAL := all

export VFIO_PERF_CACHE ?= $(CURDIR)/.cache

# Knobs of `make bench` (see harness/bench.sh --help).
TARGET ?= qemu
KERNEL ?= 6.12
SUITE ?= quick
ACCEL ?= auto
MEM ?= 6G
CPUS ?= 2
DEVICE ?=
KERNELS ?=
BOOTS ?= 3
RUN ?=
EXTRA ?=

CC := gcc
CPPFLAGS := -Ibench/lib -D_GNU_SOURCE -MMD -MP
CFLAGS := -std=c11 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wformat=2 -Wvla
LDLIBS := -lhwloc -lnuma -lm

# Two variants: "release" goes into the guest and measures; "asan" runs
# the unit tests under AddressSanitizer and UBSan.
release_CFLAGS := -O2
asan_CFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	       -fno-sanitize-recover=all

LIB_SRC := $(wildcard bench/lib/*.c)
PROG_SRC := $(wildcard bench/*.c)
# A program's own modules, beside its main file: bench/mmio/ is
# vfio-mmio-bench's.
MMIO_SRC := $(wildcard bench/mmio/*.c)
PROGS := $(patsubst bench/%.c,%,$(PROG_SRC))
UNIT_SRC := $(wildcard tests/unit/*.c)

define variant
$(1)_LIB_OBJ := $$(patsubst bench/%.c,build/$(1)/%.o,$$(LIB_SRC))
$(1)_PROGS := $$(addprefix build/$(1)/,$$(PROGS))
$(1)_UNIT_OBJ := $$(patsubst tests/unit/%.c,build/$(1)/unit/%.o,$$(UNIT_SRC))

build/$(1)/%.o: bench/%.c | build-deps
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) $$(CFLAGS) $$($(1)_CFLAGS) -c -o $$@ $$<

build/$(1)/unit/%.o: tests/unit/%.c | build-deps
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) -Itests/unit $$(CFLAGS) $$($(1)_CFLAGS) -c -o $$@ $$<

build/$(1)/libvfioperf.a: $$($(1)_LIB_OBJ)
	@rm -f $$@
	ar rcs $$@ $$^

build/$(1)/%: build/$(1)/%.o build/$(1)/libvfioperf.a
	$$(CC) $$(CFLAGS) $$($(1)_CFLAGS) -o $$@ $$(filter %.o,$$^) $$(filter %.a,$$^) $$(LDLIBS)

build/$(1)/vfio-mmio-bench: $$(patsubst bench/%.c,build/$(1)/%.o,$$(MMIO_SRC))

build/$(1)/unit-tests: $$($(1)_UNIT_OBJ) build/$(1)/libvfioperf.a
	$$(CC) $$(CFLAGS) $$($(1)_CFLAGS) -o $$@ $$^ $$(LDLIBS)

-include $$(shell find build/$(1) -name '*.d' 2>/dev/null)
endef
$(eval $(call variant,release))
$(eval $(call variant,asan))
.SECONDARY:

# ---- libperf (issue #3: vfio-mmio-bench's hardware counters) -------------
# Debian does not package libperf: harness/libperf.sh builds it once from
# the kernel tree of a linux-source package into the cache. Every object
# waits for it (order-only), since the library's headers are included.
LIBPERF := $(VFIO_PERF_CACHE)/libperf
CPPFLAGS += -isystem $(LIBPERF)/include
LDLIBS += $(LIBPERF)/lib/libperf.a $(LIBPERF)/lib/libapi.a
$(LIBPERF)/source: | build-deps
	harness/libperf.sh --out $(LIBPERF)
$(release_LIB_OBJ) $(asan_LIB_OBJ) $(release_UNIT_OBJ) $(asan_UNIT_OBJ): | $(LIBPERF)/source
# ---- end libperf ----------------------------------------------------------

.PHONY: all deps build build-deps help bench test unit lint plot compare \
	timeline clean kernels test-kernels calibrate walk bisect test-bisect \
	lava-jobs lava-submit lava-collect lava-lab lava-lab-stop test-lava \
	cache-list cache-prune
all: build

help:
	@sed -n '1,5p' Makefile | sed 's/^# \{0,1\}//'
	@echo
	@echo "targets:"
	@echo "  build         the programs (build/release), after checking the build's packages"
	@echo "  deps          install every package bench and test need (as root)"
	@echo "  bench         run SUITE on KERNEL (or KERNELS, interleaved) in the QEMU guest or on this host"
	@echo "  test          unit, lint, command-line and guest integration tests"
	@echo "  unit lint     parts of test"
	@echo "  plot          redraw the charts of RUN=<run-id>"
	@echo "  compare       A=<side> B=<side> [C='<side>...'] [OUT=dir] [ALLOW_FAILED=1]"
	@echo "                [CALIBRATION=<dir>]: report"
	@echo "  timeline      CASE=<case> SIDES='<side>...': one case across ordered sides"
	@echo "  calibrate     KERNEL=<spec> BOOTS=6 SUITE=compare ACCEL=icount: boot one kernel BOOTS"
	@echo "                times and measure what a comparison can call (false verdicts,"
	@echo "                spread between boots, mde by boots a side); SIDES='<side>...' analyzes"
	@echo "                boots measured already; compare with CALIBRATION=<dir>"
	@echo "  walk          BUILD=BASE+SERIES [SUITE=patches-dma] [BOOTS=2] [ACCEL=icount]: the base"
	@echo "                and each patch of the series in turn, every step against the one before"
	@echo "  bisect        TREE=<git tree> GOOD=<rev> BAD=<rev> CASE=<regex> [THRESHOLD=2]"
	@echo "                [SUITE=patches-dma] [BOOTS=1] [ACCEL=icount] [CALIBRATION=<dir>]: the"
	@echo "                commit that made CASE slower (harness/bisect-step.sh is the git bisect run step)"
	@echo "  test-bisect   make a kernel history with a planted regression, bisect it (builds, boots)"
	@echo "  kernels       build every kernel of kernel-patches/builds"
	@echo "  test-kernels  build, boot and check every kernel of kernel-patches/builds"
	@echo "  cache-list    the cached kernel builds: last used, size"
	@echo "  cache-prune   remove builds not used for DAYS days (14; DRY_RUN=1 to see)"
	@echo "  lava-jobs     CAMPAIGN=<name> KERNELS=... BOOTS SUITE ACCEL=icount [LAVA_URL=base]"
	@echo "                [LAVA_FAMILY=qemu|x86 LAVA_BIND=ids]: LAVA jobs in lava/<name>/"
	@echo "  lava-submit   CAMPAIGN=<name> LAVA=<lavacli identity>: submit, wait, show progress"
	@echo "  lava-collect  CAMPAIGN=<name> [LAVA=<identity>]: finished jobs into results/<name>/"
	@echo "  lava-lab      a LAVA lab on this machine (127.0.0.1; INSTALLS Debian's lava-server"
	@echo "                and lava-dispatcher, which upgrades some system packages; root)"
	@echo "  lava-lab-stop stop what lava-lab started"
	@echo "  test-lava     the LAVA round trip on the local lab (2 kernels x 2 boots; see README)"
	@echo "  clean         remove build/"
	@echo "knobs:   TARGET=qemu|host KERNEL=6.12|sid|<debian-version>|local:<bzImage>|build:<name>"
	@echo "         SUITE=quick|full|compare|<file> ACCEL=auto|kvm|tcg|icount MEM=6G CPUS=2"
	@echo "         DEVICE=<BDF> (TARGET=host) RUN=<run-id> (plot)"
	@echo "         KERNELS=\"A B ...\" BOOTS=3: interleaved boots of several kernels"
	@echo "         EXTRA=path[,path]: your programs in the guest, for a suite's exec lines"
	@echo "cache:   VFIO_PERF_CACHE=$(VFIO_PERF_CACHE)"
	@echo "exit:    make exits 2 for any failure; the tools it runs say their own status"
	@echo "         (harness/bench.sh, harness/campaign.sh, plot/report.sh): call them directly"
	@echo "         where the status matters (see README.md, Exit statuses)"

deps:
	@harness/deps.sh

# A plain `make` first makes sure the build's own packages are there
# (installing them as root, as `make bench` and `make test` do; otherwise
# one line saying what is missing), rather than stop at a missing header.
build: $(release_PROGS)

build-deps:
	@harness/deps.sh --build

# The tools' own exit statuses do not survive make (it exits 2 for any
# failure): harness/status.sh names the status and the command that keeps it.
STATUS = harness/status.sh

bench: deps
	@$(MAKE) --no-print-directory build
ifeq ($(strip $(KERNELS)),)
	@$(STATUS) bench harness/bench.sh --target '$(TARGET)' --kernel '$(KERNEL)' \
		--suite '$(SUITE)' --accel '$(ACCEL)' --mem '$(MEM)' \
		--cpus '$(CPUS)' $(if $(DEVICE),--device '$(DEVICE)') \
		$(if $(EXTRA),--extra '$(EXTRA)')
else
	@$(STATUS) bench harness/campaign.sh --kernels '$(KERNELS)' --boots '$(BOOTS)' \
		--suite '$(SUITE)' --accel '$(ACCEL)' --mem '$(MEM)' \
		--cpus '$(CPUS)'
endif

# A series patch by patch (harness/walk.sh); SUITE, BOOTS and ACCEL
# default to what a walk needs (patches-dma, 2, icount), not bench's.
walk: deps
	@$(MAKE) --no-print-directory build
	@test -n '$(BUILD)' || { echo "make walk: set BUILD=BASE+SERIES" >&2; exit 2; }
	@$(STATUS) walk harness/walk.sh '$(BUILD)' --suite '$(call calibrate_knob,SUITE,patches-dma)' \
		--boots '$(call calibrate_knob,BOOTS,2)' --accel '$(call calibrate_knob,ACCEL,icount)' \
		--mem '$(MEM)' --cpus '$(CPUS)' $(if $(THRESHOLD),--threshold '$(THRESHOLD)') \
		$(if $(CALIBRATION),--calibration '$(CALIBRATION)') $(if $(OUT),--out '$(OUT)')

# The commit of a git range that made a case slower (harness/bisect.sh).
bisect: deps
	@$(MAKE) --no-print-directory build
	@test -n '$(TREE)' && test -n '$(GOOD)' && test -n '$(BAD)' && test -n '$(CASE)' || \
		{ echo "make bisect: set TREE=<git tree> GOOD=<rev> BAD=<rev> CASE=<regex>" >&2; exit 2; }
	@$(STATUS) bisect harness/bisect.sh --tree '$(TREE)' --good '$(GOOD)' --bad '$(BAD)' \
		--case '$(CASE)' --suite '$(call calibrate_knob,SUITE,patches-dma)' \
		--boots '$(call calibrate_knob,BOOTS,1)' --accel '$(call calibrate_knob,ACCEL,icount)' \
		$(if $(THRESHOLD),--threshold '$(THRESHOLD)') $(if $(CALIBRATION),--calibration '$(CALIBRATION)') \
		$(if $(BASE),--base '$(BASE)') $(if $(OUT),--out '$(OUT)') $(if $(REUSE),--reuse '$(REUSE)')

# The bisection of a kernel history made for it, with a planted
# regression and a commit that does not build (builds kernels, boots).
test-bisect: deps
	@$(MAKE) --no-print-directory build
	@$(STATUS) test-bisect tests/bisect/run.sh

# Kernels built from source with kernel-patches/ (see harness/kbuild.sh).
kernels: deps
	@for k in $$(harness/kbuild.sh --list); do \
		harness/kbuild.sh "$$k" >/dev/null || exit 1; \
		echo "kernels: $$k: $$(cat "$$(harness/kbuild.sh "$$k")/release")"; \
	done

# The cache's kernel builds (harness/cache.sh): 2.4-2.7 GB each.
DAYS ?= 14
cache-list:
	@harness/cache.sh list
cache-prune:
	@harness/cache.sh prune --days '$(DAYS)' $(if $(DRY_RUN),--dry-run)

# The full cycle for every configured build: build, boot, bench, verify.
test-kernels: deps
	@$(MAKE) --no-print-directory build build/asan/unit-tests $(asan_PROGS)
	@$(STATUS) test-kernels tests/kernels/run.sh

unit: build/asan/unit-tests
	build/asan/unit-tests

lint:
	tests/lint.sh

test: deps
	@$(MAKE) --no-print-directory build build/asan/unit-tests $(asan_PROGS)
	tests/run.sh

plot:
	@test -n '$(RUN)' || { echo "make plot: set RUN=<run-id>" >&2; exit 2; }
	plot/plot-run.sh 'results/$(RUN)'

# Compare sides (a run directory, a directory of runs, or a comma list).
compare: build
	@test -n '$(A)' && test -n '$(B)' || { echo "make compare: set A=<side> B=<side> [C='<side>...'] [OUT=dir]" >&2; exit 2; }
	@$(STATUS) compare plot/report.sh $(if $(OUT),-o '$(OUT)') $(if $(ALLOW_FAILED),--allow-failed) \
		$(if $(CALIBRATION),--calibration '$(CALIBRATION)') '$(A)' '$(B)' $(C)

# One metric of one case across an ordered list of sides.
timeline: build
	@test -n '$(CASE)' && test -n '$(SIDES)' || { echo "make timeline: set CASE=<case> SIDES='<side> <side>...'" >&2; exit 2; }
	@$(STATUS) timeline plot/report.sh --timeline '$(CASE)' $(SIDES)

# What a comparison can call on this setup: one kernel booted BOOTS times
# (6 unless given), or the boots of SIDES; BOOTS, SUITE and ACCEL default
# to what calibrating needs (6, compare, icount), not bench's.
calibrate_knob = $(if $(filter command line environment,$(origin $(1))),$($(1)),$(2))
calibrate: deps
	@$(MAKE) --no-print-directory build
ifeq ($(strip $(SIDES)),)
	@$(STATUS) calibrate harness/calibrate.sh --kernel '$(KERNEL)' \
		--boots '$(call calibrate_knob,BOOTS,6)' --suite '$(call calibrate_knob,SUITE,compare)' \
		--accel '$(call calibrate_knob,ACCEL,icount)' --mem '$(MEM)' --cpus '$(CPUS)' \
		$(if $(OUT),--out '$(OUT)')
else
	@$(STATUS) calibrate harness/calibrate.sh $(if $(OUT),--out '$(OUT)') --analyze $(SIDES)
endif

# ---- LAVA (harness/lava/, README.md "Running on a LAVA lab") -------------
CAMPAIGN ?=
LAVA ?=
LAVA_URL ?=
LAVA_FAMILY ?= qemu
LAVA_BIND ?=
LAVA_WORKERS ?= 2
lava_need = @test -n '$(strip $(1))' || { echo "make $@: set $(2)" >&2; exit 2; }

lava-jobs: deps
	@$(MAKE) --no-print-directory build
	$(call lava_need,$(KERNELS),KERNELS="A B ...")
	@$(STATUS) lava-jobs harness/lava/jobs.sh --kernels '$(KERNELS)' --boots '$(BOOTS)' \
		--suite '$(SUITE)' --family '$(LAVA_FAMILY)' --mem '$(MEM)' --cpus '$(CPUS)' \
		$(if $(filter command line environment,$(origin ACCEL)),--accel '$(ACCEL)') \
		$(if $(CAMPAIGN),--name '$(CAMPAIGN)') $(if $(LAVA_URL),--url '$(LAVA_URL)') \
		$(if $(LAVA_BIND),--bind '$(LAVA_BIND)')

lava-submit:
	$(call lava_need,$(CAMPAIGN),CAMPAIGN=<name> (a directory of lava/))
	$(call lava_need,$(LAVA),LAVA=<lavacli identity>)
	@$(STATUS) lava-submit harness/lava/submit.sh --jobs 'lava/$(CAMPAIGN)' --identity '$(LAVA)'

lava-collect: build
	$(call lava_need,$(CAMPAIGN),CAMPAIGN=<name> (a directory of lava/))
	@$(STATUS) lava-collect harness/lava/collect.sh --jobs 'lava/$(CAMPAIGN)' \
		$(if $(LAVA),--identity '$(LAVA)')

lava-lab:
	@$(STATUS) lava-lab harness/lava/lab.sh start --workers '$(LAVA_WORKERS)'

lava-lab-stop:
	@$(STATUS) lava-lab-stop harness/lava/lab.sh stop

test-lava: deps
	@$(MAKE) --no-print-directory build build/asan/unit-tests
	@$(STATUS) test-lava tests/lava/run.sh

clean:
	rm -rf build
