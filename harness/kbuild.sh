#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Build a guest kernel from a base source, a patch series and config
# fragments, once per identity, and print its build directory.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: kbuild.sh [--check] NAME
       kbuild.sh --manifest NAME
       kbuild.sh --patches NAME
       kbuild.sh --source NAME
       kbuild.sh --list

Build kernel NAME = BASE[+SERIES[+SERIES...]][:K][@PROFILE] (or reuse
it) and print its build directory on stdout, nothing else. Progress goes
to stderr.

  BASE     a line of kernel-patches/bases: a Debian linux-source package
           (6.12 from bookworm, 7.2 from sid) or a local git tree, and the
           toolchain that builds it (toolchain=, below)
  SERIES   kernel-patches/BASE/SERIES/: git format-patch files listed in
           order in its `series` file, applied with GNU patch and no fuzz (a
           hunk that does not apply is an error naming the patch); a
           0000-cover-letter.patch line there is the series' cover letter,
           never applied, checked nor part of the identity
  :K       only the first K patches of the last SERIES, 1 to one less
           than it has (the whole series is the name without :K): a step
           of a series walk (harness/walk.sh). Its identity follows the
           rules below, so it is the build of a series of those K patches
  @PROFILE @tiny, @novmemmap, @iommu-debugfs or @iommufd-compat
           (below) instead of the Debian profile

The config (profile "debian", the default): the kernel configuration
Debian ships for this very source (the linux-image package of the same
version, provisioned with harness/kernel.sh; a git base names its config
in kernel-patches/bases), then
  1. kernel-patches/configs/debian.config: what the build host needs
     (no debug info, so no BTF; a module signing key made by the build),
     then olddefconfig;
  2. make localmodconfig with the modules of configs/guest.modules and
     their dependencies in the Debian kernel: every built-in (=y) option
     is kept, the modules are cut down to what the guest loads;
  3. configs/guest.config (+ configs/BASE.config if present): what the
     guest needs on top (iommufd, the vfio cdev, the page-table dump).
A built-in option of step 1 that step 2 or 3 turned off, or an option of
a fragment that olddefconfig did not keep, is an error. The modules are
installed into the build's modroot/, as in a Debian kernel.
Profile "tiny" (NAME@tiny): `make tinyconfig` + configs/tiny.config,
everything built in. Quicker to build, but not a kernel anyone runs: mitigations, memcg, init-on-alloc and more are off, so its
numbers differ from Debian's by 10-20% on our cases. For trying a patch
out, never for numbers. Its LOCALVERSION is -tiny-vpID.
Profile "novmemmap" (NAME@novmemmap): the tiny profile with
configs/novmemmap.config, classic SPARSEMEM without SPARSEMEM_VMEMMAP
(struct pages are not virtually contiguous across memory sections): for
the correctness of code that walks struct pages, never for numbers. Its
LOCALVERSION is -novmemmap-vpID.
Profile "iommu-debugfs" (NAME@iommu-debugfs): the Debian profile with
configs/iommu-debugfs.config, the Intel IOMMU's debugfs, from which
vfio-dma-bench counts the IOMMU leaves (4K, 2M, 1G) of every mapping. It
also turns on DMAR_PERF's latency checks in the invalidation path that
unmap takes, so it is a verification build beside the Debian one, not
its replacement. Its LOCALVERSION is -iommu-debugfs-vpID.
Profile "iommufd-compat" (NAME@iommufd-compat): the Debian profile with
configs/iommufd-compat.config: VFIO_CONTAINER off, /dev/vfio/vfio is
iommufd's compat container, measured as the iommufd-compat interface
(type1 and type1v2 skip there). LOCALVERSION -iommufd-compat-vpID.

The toolchain (toolchain=T on the base's line): host (the default) is
the host's gcc and binutils; a Debian suite (toolchain=sid) is that
suite's own, a minimal root made once by harness/toolchain.sh in
$VFIO_PERF_CACHE/toolchains/SUITE/ (debootstrap: about a minute and
500 MB for sid) with the compiler Debian's config names
(CONFIG_CC_VERSION_TEXT: x86_64-linux-gnu-gcc-16 -> gcc-16), and every
make of the build runs inside it (harness/toolchain.sh --run). A build
whose compiler version differs from Debian's gets a warning. --check
always compiles with the host's (a compile check, no build).

The identity of a build is the SHA-256 of the profile, the base source,
the toolchain (the compiler's and ld's --version lines), the Debian
config it starts from (package, version, SHA-256), the fragments, the
module list and the code of the patches (their diffs; a reworded commit
message is the same build); LOCALVERSION is -vp<first 12 hex digits>, so
`uname -r` in the guest names the build. A build is made
once per identity and kept in $VFIO_PERF_CACHE/kbuild/NAME-ID/ (NAME:K as
NAME~K: the kernel's make refuses a colon in the path; tree/ is
the in-tree build; config, config-vs-debian (every option that differs
from Debian's), config-vs-debian-step1 (what step 1 changed), builtins-cut,
modroot/, release, manifest, source (where it came from: the base, the
Debian config, both compilers, the toolchain and its root), build-seconds,
build-times, build.log). A patched build starts
from a copy of its base build's tree, so only what the patches touch is
recompiled.

  --check  CI mode: apply every series of NAME to a copy of its base, run
           the base's own scripts/checkpatch.pl --strict on every patch
           (any error, warning or check fails), and compile the .c files
           the patches touch, any warning being an error (no link, no
           boot); the configured and prepared base is
           cached in $VFIO_PERF_CACHE/kcheck/; prints nothing on stdout
  --manifest  print what the identity of NAME is made of, then the
           identity itself (nothing is built; a Debian suite's toolchain
           is made if it is not there yet)
  --patches  print the patch files of NAME in the order they are
           applied, one a line (nothing is built or downloaded)
  --source  print the directory of NAME's base source (unpacked once
           in $VFIO_PERF_CACHE/ksrc/; nothing is built)
  --list   the builds `make kernels` makes (kernel-patches/builds)

Environment: VFIO_PERF_CACHE, VP_KERNEL_PATCHES (default: the repository's
kernel-patches/, for tests).

Exit status: 0, 1 on failure (download, patch, config, compile), 2 for a
NAME that does not parse.

Example: harness/kbuild.sh --manifest 6.12+type1-contig-batch
EOF
}

PATCHES=${VP_KERNEL_PATCHES:-$(vp_repo)/kernel-patches}
TMPDIRS=()
SAMPLER=
cleanup() {
	local d
	[[ -z $SAMPLER ]] || kill "$SAMPLER" 2>/dev/null || true
	for d in "${TMPDIRS[@]}"; do
		rm -rf "$d"
	done
}
trap cleanup EXIT

# Uncommented words of a list file, one per line.
list_words() {
	sed -e 's/#.*//' "$1" | awk 'NF { print $1 }'
}

# base_line BASE: "KIND WHERE CONFIG TOOLCHAIN" from kernel-patches/bases
# (CONFIG "-" when the line names none, TOOLCHAIN "host" by default).
base_line() {
	local line
	line=$(sed -e 's/#.*//' "$PATCHES/bases" | awk -v b="$1" '$1 == b {
		cfg = "-"; tc = "host"
		for (i = 4; i <= NF; i++) {
			if ($i ~ /^toolchain=/) tc = substr($i, 11)
			else if (cfg == "-") cfg = $i
			else { print "bad"; exit }
		}
		print $2, $3, cfg, tc }')
	[[ -n $line ]] || vp_usage_error "unknown base '$1' (kernel-patches/bases has: $(list_words "$PATCHES/bases" | tr '\n' ' '))"
	[[ $line != bad ]] || vp_die "kernel-patches/bases: the line of base $1 has more than KIND WHERE [CONFIG] [toolchain=T]"
	printf '%s\n' "$line"
}

# Unpack SRC_ID's tree once into the cache; print its path.
pristine_deb() {
	local suite=$1 pkg=$2 deb key dir tmp tarball
	deb=$(vp_apt_download "$suite" "$pkg")
	key=$(basename "$deb" .deb)
	dir=$(vp_cache)/ksrc/$key
	if ! [[ -f $dir/.vp-complete ]]; then
		vp_lock "ksrc-$key"
		if ! [[ -f $dir/.vp-complete ]]; then
			vp_log "unpacking $(basename "$deb")"
			mkdir -p "$(vp_cache)/ksrc"
			tmp=$(mktemp -d "$dir.XXXXXX.tmp")
			TMPDIRS+=("$tmp")
			tarball=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | grep -E '/linux-source-[^/]*\.tar\.[a-z]+$' | head -n 1)
			[[ -n $tarball ]] || vp_die "$deb holds no linux-source tarball"
			dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" | xz -dc -T0 |
				tar -x -C "$tmp" --strip-components=1 || vp_die "unpacking $deb failed"
			touch "$tmp/.vp-complete"
			rm -rf "$dir"
			mv "$tmp" "$dir"
		fi
	fi
	SRC_ID=$key SRC_DIR=$dir
}

pristine_git() {
	local path=$1 commit dir tmp
	[[ -d $path ]] || vp_die "git base $path does not exist"
	commit=$(git -C "$path" rev-parse --verify HEAD) || vp_die "$path is not a git tree"
	[[ -z $(git -C "$path" status --porcelain --untracked-files=no) ]] ||
		vp_die "$path has uncommitted changes: a build's identity is a commit"
	dir=$(vp_cache)/ksrc/git-$commit
	if ! [[ -f $dir/.vp-complete ]]; then
		vp_lock "ksrc-git-$commit"
		mkdir -p "$(vp_cache)/ksrc"
		tmp=$(mktemp -d "$dir.XXXXXX.tmp")
		TMPDIRS+=("$tmp")
		git -C "$path" archive HEAD | tar -x -C "$tmp" || vp_die "git archive of $path failed"
		touch "$tmp/.vp-complete"
		rm -rf "$dir"
		mv "$tmp" "$dir"
	fi
	SRC_ID=git-$commit SRC_DIR=$dir
}

# series_patches: PATCH_FILES, the patches of SERIES in order, the last
# series cut to its first PREFIX patches when PREFIX is set.
series_patches() {
	local s p n last=$((${#SERIES[@]} - 1)) i=0
	PATCH_FILES=()
	for s in "${SERIES[@]}"; do
		[[ -f $PATCHES/$BASE/$s/series ]] ||
			vp_usage_error "no series '$s' for base $BASE (kernel-patches/$BASE/$s/series)"
		n=0
		while read -r p; do
			[[ -f $PATCHES/$BASE/$s/$p ]] || vp_die "series $BASE/$s lists $p, which does not exist"
			# The cover letter goes with the series, not into the kernel.
			[[ $p != 0000-cover-letter.patch ]] || continue
			n=$((n + 1))
			[[ -n $PREFIX && $i == "$last" ]] && ((n > PREFIX)) && continue
			PATCH_FILES+=("$PATCHES/$BASE/$s/$p")
		done < <(list_words "$PATCHES/$BASE/$s/series")
		if [[ -n $PREFIX && $i == "$last" ]] && ! ((PREFIX >= 1 && PREFIX < n)); then
			vp_usage_error "series $BASE/$s has $n patch(es): :K wants 1 to $((n - 1)) (all of them: the name without :$PREFIX)"
		fi
		i=$((i + 1))
	done
}

# profile_kind PROFILE: the config a profile starts from, debian (the
# Debian profile's three steps, then configs/PROFILE.config) or tiny
# (tinyconfig, configs/tiny.config, then configs/PROFILE.config); fails
# for an unknown profile.
profile_kind() {
	case $1 in
	debian | iommu-debugfs | iommufd-compat) echo debian ;;
	tiny | novmemmap) echo tiny ;;
	*) return 1 ;;
	esac
}

# Parse NAME into BASE, SERIES and PROFILE, locate the source, the
# patches, the fragments and (profile debian) the Debian config.
resolve() {
	local name=$1 line kind where cfg s p
	[[ $name =~ ^[A-Za-z0-9._-]+(\+[A-Za-z0-9._-]+)*(:[1-9][0-9]{0,2})?(@[A-Za-z0-9_-]+)?$ ]] ||
		vp_usage_error "bad build name '$name': want BASE[+SERIES...][:K][@PROFILE]"
	PROFILE=debian
	if [[ $name == *@* ]]; then
		PROFILE=${name#*@}
		name=${name%@*}
	fi
	KIND=$(profile_kind "$PROFILE") ||
		vp_usage_error "unknown profile '@$PROFILE' in '$1' (the default is Debian's config; the others are @tiny, @novmemmap, @iommu-debugfs and @iommufd-compat)"
	PREFIX=
	if [[ $name == *:* ]]; then
		PREFIX=${name##*:}
		name=${name%:*}
	fi
	IFS=+ read -r -a parts <<<"$name"
	BASE=${parts[0]}
	SERIES=("${parts[@]:1}")
	[[ -z $PREFIX || ${#SERIES[@]} -gt 0 ]] ||
		vp_usage_error "'$1': :K takes the first K patches of a series, and $BASE names none"
	series_patches
	[[ $MODE == patches ]] && return 0
	line=$(base_line "$BASE") || exit $?
	read -r kind where cfg TOOLCHAIN <<<"$line"
	[[ $cfg != - ]] || cfg=
	[[ $TOOLCHAIN =~ ^[a-z][a-z0-9-]*$ ]] ||
		vp_die "kernel-patches/bases: bad toolchain '$TOOLCHAIN' for base $BASE (host, or a Debian suite such as sid)"
	if [[ $MODE == check && $TOOLCHAIN != host ]]; then
		vp_log "$1: --check compiles with the host compiler, not base $BASE's toolchain $TOOLCHAIN (a compile check, no build)"
		TOOLCHAIN=host
	fi
	case $kind in
	deb) pristine_deb "${where%%:*}" "${where#*:}" ;;
	git) pristine_git "$where" ;;
	*) vp_die "kernel-patches/bases: unknown kind '$kind' for $BASE" ;;
	esac
	[[ $MODE == source ]] && return 0
	if [[ $KIND == tiny ]]; then
		PRE_FRAGMENTS=()
		FRAGMENTS=("$PATCHES/configs/tiny.config")
		[[ $PROFILE == tiny ]] || FRAGMENTS+=("$PATCHES/configs/$PROFILE.config")
		MODLIST=
	else
		PRE_FRAGMENTS=("$PATCHES/configs/debian.config")
		FRAGMENTS=("$PATCHES/configs/guest.config")
		MODLIST=$PATCHES/configs/guest.modules
		[[ -f $MODLIST ]] || vp_die "$MODLIST does not exist"
		# A deb base: the linux-image of the source's own version.
		if [[ -z $cfg && $kind == deb ]]; then
			cfg=${where%%:*}:$(sed -n 's/^[^_]*_\([^_]*\)_.*$/\1/p' <<<"$SRC_ID")
		fi
		[[ -n $cfg ]] || vp_die "kernel-patches/bases: base $BASE names no Debian config (4th column: a kernel.sh SPEC or file:PATH), which profile debian needs (or build $1@tiny)"
		debian_config "$cfg"
		[[ $PROFILE == debian ]] || FRAGMENTS+=("$PATCHES/configs/$PROFILE.config")
	fi
	[[ -f $PATCHES/configs/$BASE.config ]] && FRAGMENTS+=("$PATCHES/configs/$BASE.config")
	local f
	for f in "${PRE_FRAGMENTS[@]}" "${FRAGMENTS[@]}"; do
		[[ -f $f ]] || vp_die "config fragment $f does not exist"
	done
	toolchain_setup
}

# toolchain_setup: the compiler of the build. host: the host's gcc and
# ld. A Debian suite: its toolchain (harness/toolchain.sh, made once in
# the cache) with the compiler that Debian's config names (its
# CONFIG_CC_VERSION_TEXT: x86_64-linux-gnu-gcc-16 -> package gcc-16; the
# suite's gcc for the tiny profile). Sets TC_CC (the make CC, empty for
# the host's default), TC_TEXT (its --version line, as kconfig records it
# in CONFIG_CC_VERSION_TEXT), TC_LD (ld --version) and TC_DIR.
toolchain_setup() {
	local prog=gcc pkg line
	if [[ $TOOLCHAIN == host ]]; then
		TC_CC='' TC_DIR=''
		TC_TEXT=$(gcc --version 2>/dev/null | head -n 1) || true
		TC_LD=$(ld --version 2>/dev/null | head -n 1) || true
		[[ -n $TC_TEXT && -n $TC_LD ]] || vp_die "no host compiler (gcc and ld: install gcc and binutils)"
		return 0
	fi
	if [[ $KIND == debian ]]; then
		prog=$(cc_text "$DEB_CONFIG")
		prog=${prog%% *}
	fi
	pkg=${prog#x86_64-linux-gnu-}
	[[ $pkg =~ ^gcc(-[0-9]+)?$ ]] ||
		vp_die "Debian's config names the compiler '$prog', which is no gcc the $TOOLCHAIN toolchain can install"
	TC_DIR=$("$(dirname "${BASH_SOURCE[0]}")/toolchain.sh" "$TOOLCHAIN" "$pkg") ||
		vp_die "cannot make the $TOOLCHAIN toolchain (harness/toolchain.sh $TOOLCHAIN $pkg)"
	line=$(awk -v p="$prog" '$1 == p { sub(/^[^ ]+ /, ""); print; exit }' "$TC_DIR/versions")
	[[ -n $line ]] || vp_die "the $TOOLCHAIN toolchain ($TC_DIR) has no $prog ($pkg) in its versions file"
	TC_CC=$prog TC_TEXT=$line
	TC_LD=$(sed -n 's/^ld //p' "$TC_DIR/versions")
}

# kmake ARG...: make, with the build's toolchain (inside its root for a
# Debian suite's, where the cache has the same path).
kmake() {
	if [[ $TOOLCHAIN == host ]]; then
		make "$@"
	else
		"$(dirname "${BASH_SOURCE[0]}")/toolchain.sh" --run "$TOOLCHAIN" make CC="$TC_CC" "$@"
	fi
}

# debian_config SPEC: the Debian kernel config the debian profile starts
# from: a kernel.sh SPEC (the package's config and modules) or file:PATH
# (a config file, PATH relative to kernel-patches/; no modules known).
# Sets DEB_CONFIG, DEB_ORIGIN ("PACKAGE VERSION"), DEB_SHA, DEB_KDIR.
debian_config() {
	local spec=$1 path
	if [[ $spec == file:* ]]; then
		path=${spec#file:}
		[[ $path == /* ]] || path=$PATCHES/$path
		[[ -f $path ]] || vp_die "config $spec does not exist"
		DEB_CONFIG=$path DEB_KDIR='' DEB_ORIGIN="$spec -"
	else
		DEB_KDIR=$("$(dirname "${BASH_SOURCE[0]}")/kernel.sh" "$spec") ||
			vp_die "cannot provision the Debian kernel $spec (its config is the build's)"
		DEB_CONFIG=$DEB_KDIR/config
		DEB_ORIGIN="$(sed -n 's/^package=//p' "$DEB_KDIR/source") $(sed -n 's/^version=//p' "$DEB_KDIR/source")"
	fi
	DEB_SHA=$(sha256sum <"$DEB_CONFIG" | cut -d' ' -f1)
}

# guest_lsmod FILE: the guest's modules and everything they need in the
# Debian kernel, as lsmod prints them (what localmodconfig reads).
guest_lsmod() {
	local out=$1 m rel line
	echo "Module                  Size  Used by" >"$out"
	if [[ -n $DEB_KDIR ]]; then
		rel=$(<"$DEB_KDIR/release")
		for m in $(list_words "$MODLIST"); do
			line=$(modprobe -C /dev/null -d "$DEB_KDIR/modroot" -S "$rel" --show-depends "$m" 2>&1) ||
				vp_die "module $m (configs/guest.modules) is not in the Debian kernel $rel: $line"
			sed -n 's|^insmod .*/\([^/ ]*\)\.ko[.a-z]* *.*$|\1|p' <<<"$line"
			echo "$m"
		done | tr - _ | sort -u | awk '{ print $1, 0, 0 }' >>"$out"
	else
		list_words "$MODLIST" | tr - _ | awk '{ print $1, 0, 0 }' >>"$out"
	fi
}

# The identity manifest: everything the build depends on.
manifest() {
	local f
	echo "vfio-perf kbuild 3"
	echo "profile $PROFILE"
	echo "base $BASE $SRC_ID"
	echo "toolchain $TOOLCHAIN $TC_TEXT; $TC_LD"
	if [[ $KIND == debian ]]; then
		echo "debian-config $DEB_ORIGIN $DEB_SHA"
		echo "modules ${MODLIST#"$PATCHES"/} $(sha256sum <"$MODLIST" | cut -d' ' -f1)"
	fi
	for f in "${PRE_FRAGMENTS[@]}" "${FRAGMENTS[@]}"; do
		echo "config ${f#"$PATCHES"/} $(sha256sum <"$f" | cut -d' ' -f1)"
	done
	for f in "${PATCH_FILES[@]}"; do
		f=${f#"$PATCHES"/}
		echo "patch ${f%/*} $(patch_code "$PATCHES/$f" | sha256sum | cut -d' ' -f1)"
	done
}

# localversion ID: the build's LOCALVERSION; a profile other than
# debian says its name.
localversion() {
	if [[ $PROFILE != debian ]]; then
		echo "-$PROFILE-vp$1"
	else
		echo "-vp$1"
	fi
}

# The code of a patch: its diff, without the commit message and the
# signature, so that rewording a message does not make a new kernel.
patch_code() {
	awk '/^diff --git / { on = 1 } /^-- $/ { on = 0 } on' "$1"
}

# apply_series TREE: every patch, in order, exactly (GNU patch without
# fuzz; git apply would treat a tree inside the repository as part of it).
apply_series() {
	local tree=$1 p
	for p in "${PATCH_FILES[@]}"; do
		patch -d "$tree" -p1 -F0 -N -s --dry-run <"$p" >"$tree/.vp-apply.err" 2>&1 || {
			sed 's/^/  /' "$tree/.vp-apply.err" >&2
			vp_die "patch ${p#"$PATCHES"/} does not apply to $SRC_ID"
		}
		patch -d "$tree" -p1 -F0 -N -s --no-backup-if-mismatch <"$p" ||
			vp_die "patch ${p#"$PATCHES"/} failed to apply"
	done
	rm -f "$tree/.vp-apply.err"
}

# configure TREE LOCALVERSION: the profile's config (or the tree's own
# .config when it has one: a patched build's copy of its base), then
# check that every fragment line and (debian) every built-in survived.
configure() {
	local tree=$1 lv=$2
	if ! [[ -f $tree/.config ]]; then
		if [[ $KIND == tiny ]]; then
			kmake -s -C "$tree" tinyconfig >/dev/null || vp_die "make tinyconfig failed"
		else
			cp "$DEB_CONFIG" "$tree/.config"
			merge "$tree" "${PRE_FRAGMENTS[@]}"
			kmake -s -C "$tree" olddefconfig >/dev/null || vp_die "make olddefconfig failed"
			# Debian's config as this source and host understand it: what
			# every later step must keep built in.
			cp "$tree/.config" "$tree/.vp-debian.config"
			guest_lsmod "$tree/.vp-lsmod"
			kmake -s -C "$tree" LSMOD="$tree/.vp-lsmod" localmodconfig </dev/null >"$tree/.vp-localmodconfig.log" 2>&1 || {
				tail -n 20 "$tree/.vp-localmodconfig.log" >&2
				vp_die "make localmodconfig failed"
			}
		fi
		merge "$tree" "${FRAGMENTS[@]}"
	fi
	"$tree/scripts/config" --file "$tree/.config" --set-str LOCALVERSION "$lv" --disable LOCALVERSION_AUTO
	kmake -s -C "$tree" olddefconfig >/dev/null || vp_die "make olddefconfig failed"
	check_fragments "$tree/.config" "${PRE_FRAGMENTS[@]}" "${FRAGMENTS[@]}"
	[[ $KIND == tiny ]] || check_builtins "$tree/.vp-debian.config" "$tree/.config" "${FRAGMENTS[@]}"
}

# merge TREE FRAGMENT...: the fragments into TREE's .config, as written.
merge() {
	local tree=$1
	shift
	(($#)) || return 0
	(cd "$tree" && scripts/kconfig/merge_config.sh -m .config "$@") >/dev/null ||
		vp_die "merge_config.sh failed"
}

# check_fragments CONFIG FRAGMENT...: every option a fragment sets (or
# unsets) is so in CONFIG.
check_fragments() {
	local config=$1 f line opt lost=() order=()
	local -A want=()
	shift
	# The last fragment to name an option decides it (a profile's
	# fragment comes after guest.config).
	for f; do
		while IFS= read -r line; do
			if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] ||
				[[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
				[[ -v want[${BASH_REMATCH[1]}] ]] || order+=("${BASH_REMATCH[1]}")
				want[${BASH_REMATCH[1]}]=$line
			fi
		done <"$f"
	done
	for opt in "${order[@]}"; do
		line=${want[$opt]}
		if [[ $line == CONFIG_* ]]; then
			grep -qxF "$line" "$config" || lost+=("$line (got: $(grep -E "^(# )?${opt}[= ]" "$config" || echo unset))")
		else
			! grep -qE "^$opt=" "$config" || lost+=("$line (got: $(grep -E "^$opt=" "$config"))")
		fi
	done
	if ((${#lost[@]})); then
		printf '  %s\n' "${lost[@]}" >&2
		vp_die "${#lost[@]} requested config option(s) did not survive olddefconfig (above)"
	fi
}

# check_builtins DEBIAN CONFIG [FRAGMENT...]: every =y of DEBIAN is =y in
# CONFIG, or gone from it with the module it belongs to (not shown at
# all: its menu's module was cut), or turned off by name in a FRAGMENT
# (a profile's purpose, such as @iommufd-compat's VFIO_CONTAINER). One
# that is "not set" now otherwise is an error.
check_builtins() {
	local lost deb=$1 config=$2
	shift 2
	lost=$(cat "$@" </dev/null | awk -v deb="$deb" -v config="$config" '
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { off[$2] = 1 }
		END {
			while ((getline l < deb) > 0)
				if (l ~ /^CONFIG_[A-Za-z0-9_]+=y$/) want[substr(l, 1, length(l) - 2)] = 1
			while ((getline l < config) > 0) {
				split(l, f, " ")
				if (l ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/ && (f[2] in want) && !(f[2] in off))
					print f[2]
			}
		}')
	if [[ -n $lost ]]; then
		printf '%s\n' "$lost" | sed 's/^/  /' >&2
		vp_die "$(wc -l <<<"$lost") built-in option(s) of Debian's config are off after localmodconfig and the fragments (above)"
	fi
}

# builtins_cut DEBIAN CONFIG: the =y options of DEBIAN that CONFIG does
# not show at all: sub-options of the modules localmodconfig cut and
# helpers only those modules select.
builtins_cut() {
	awk 'NR == FNR { if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=y$/) want[substr($0, 1, length($0) - 2)] = 1; next }
		/^CONFIG_/ { have[substr($0, 1, index($0, "=") - 1)] = 1 }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { have[$2] = 1 }
		END { for (o in want) if (!(o in have)) print o }' "$1" "$2" | LC_ALL=C sort
}

# cc_text CONFIG: the compiler CONFIG was made with.
cc_text() {
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$1"
}

# config_diff DEBIAN CONFIG: the options whose values differ, one a line
# ("OPTION debian build", n for unset).
config_diff() {
	awk 'function val(l) { return l ~ /^#/ ? "n" : substr(l, index(l, "=") + 1) }
		function opt(l) { return l ~ /^#/ ? $2 : substr(l, 1, index(l, "=") - 1) }
		/^CONFIG_/ || /^# CONFIG_.* is not set$/ {
			o = opt($0); v = val($0)
			if (NR == FNR) { a[o] = v } else { b[o] = v }
		}
		END {
			for (o in a) if (!(o in b)) b[o] = "n"
			for (o in b) { if (!(o in a)) a[o] = "n"; if (a[o] != b[o]) print o, a[o], b[o] }
		}' "$1" "$2" | LC_ALL=C sort
}

# used DIR: DIR (a build or a prepared tree) is used now: its last-used
# stamp is what harness/cache.sh prune goes by. Prints DIR.
used() {
	touch "$1/last-used" 2>/dev/null || true
	printf '%s\n' "$1"
}

# prepared_tree: the base source configured and prepared for compiling
# single objects (make prepare), cached per base and fragments.
prepared_tree() {
	local key dir tmp
	key=$BASE-$PROFILE-$( (manifest | grep -v '^patch '; cat "${PRE_FRAGMENTS[@]}" "${FRAGMENTS[@]}") | sha256sum | cut -c1-12)
	dir=$(vp_cache)/kcheck/$key
	if ! [[ -f $dir/.vp-prepared ]]; then
		vp_lock "kcheck-$key"
		if ! [[ -f $dir/.vp-prepared ]]; then
			vp_log "$BASE: configuring and preparing $SRC_ID for compile checks"
			mkdir -p "$(vp_cache)/kcheck"
			tmp=$(mktemp -d "$dir.XXXXXX.tmp")
			TMPDIRS+=("$tmp")
			cp -a "$SRC_DIR/." "$tmp/"
			configure "$tmp" "$(localversion check)"
			kmake -s -C "$tmp" -j"$(nproc)" prepare >"$tmp/.vp-make.log" 2>&1 || {
				tail -n 30 "$tmp/.vp-make.log" >&2
				vp_die "$BASE: make prepare failed"
			}
			touch "$tmp/.vp-prepared"
			rm -rf "$dir"
			mv "$tmp" "$dir"
		fi
	fi
	used "$dir"
}

# touched_copy: apply the series to a copy of just the files it touches,
# so that a patch that does not apply fails in seconds.
touched_copy() {
	local tree f
	tree=$(mktemp -d "${TMPDIR:-/tmp}/vp-kapply.XXXXXX")
	TMPDIRS+=("$tree")
	while read -r f; do
		[[ -f $SRC_DIR/$f ]] || continue
		mkdir -p "$tree/$(dirname "$f")"
		cp "$SRC_DIR/$f" "$tree/$f"
	done < <(cat "${PATCH_FILES[@]}" | sed -n 's|^--- a/\(.*\)$|\1|p' | sort -u)
	apply_series "$tree"
}

# checkpatch NAME: scripts/checkpatch.pl --strict of the base's own
# source on every patch, run from that tree (its spelling list and
# MAINTAINERS); an error, a warning or a check fails.
checkpatch() {
	local p
	vp_need_cmd perl
	for p in "${PATCH_FILES[@]}"; do
		(cd "$SRC_DIR" && perl scripts/checkpatch.pl --strict --quiet "$p") >"$CHECKPATCH_OUT" 2>&1 || {
			sed 's/^/  /' "$CHECKPATCH_OUT" >&2
			vp_die "$1: checkpatch.pl --strict of $SRC_ID finds problems in ${p#"$PATCHES"/} (above)"
		}
	done
	vp_log "$1: checkpatch.pl --strict of $SRC_ID: ${#PATCH_FILES[@]} patch(es) clean"
}

# check NAME: apply and compile what the patches touch, nothing else.
check() {
	local prepared tree files=() f obj
	((${#PATCH_FILES[@]})) || { vp_log "$1: no patches, nothing to check"; return 0; }
	touched_copy
	CHECKPATCH_OUT=$(mktemp "${TMPDIR:-/tmp}/vp-checkpatch.XXXXXX")
	TMPDIRS+=("$CHECKPATCH_OUT")
	checkpatch "$1"
	prepared=$(prepared_tree)
	vp_log "$1: compiling against $prepared (profile $PROFILE)"
	tree=$(mktemp -d "$(vp_cache)/kcheck/check.XXXXXX")
	TMPDIRS+=("$tree")
	cp -a "$prepared/." "$tree/"
	apply_series "$tree"
	vp_log "$1: ${#PATCH_FILES[@]} patch(es) apply to $SRC_ID"
	mapfile -t files < <(cat "${PATCH_FILES[@]}" | sed -n 's|^+++ b/\(.*\.c\)$|\1|p' | sort -u)
	for f in "${files[@]}"; do
		obj=${f%.c}.o
		vp_log "$1: compiling $obj"
		kmake -s -C "$tree" -j"$(nproc)" "$obj" >"$tree/.vp-make.log" 2>&1 || {
			tail -n 30 "$tree/.vp-make.log" >&2
			vp_die "$1: $obj does not compile"
		}
		if grep -E 'warning:' "$tree/.vp-make.log" >&2; then
			vp_die "$1: $obj compiles with warnings (above)"
		fi
	done
	vp_log "$1: ok (${#files[@]} file(s) compiled without warnings)"
}

show_source() {
	printf '%s\n' "$SRC_DIR"
}

show_patches() {
	((${#PATCH_FILES[@]} == 0)) || printf '%s\n' "${PATCH_FILES[@]}"
}

show_manifest() {
	manifest
	echo "identity $(manifest | sha256sum | cut -c1-12)"
}

build() {
	local name=$1 id dir tmp base_dir targets=(bzImage) t deb_cc cc t0
	t0=$(date +%s)
	id=$(manifest | sha256sum | cut -c1-12)
	# The kernel's Makefile refuses a source path with a colon: a walk
	# step's NAME:K is kept as NAME~K.
	dir=$(vp_cache)/kbuild/${name//:/\~}-$id
	if [[ -f $dir/release ]]; then
		used "$dir"
		return 0
	fi
	# The base build first: the patched tree starts as a copy of it.
	if ((${#SERIES[@]})); then
		base_dir=$("$0" "$BASE$([[ $PROFILE == debian ]] || echo "@$PROFILE")")
	fi
	# Named after the directory, as kcheck's are (harness/cache.sh
	# keeps what a running build holds).
	vp_lock "kbuild-${dir##*/}"
	if [[ -f $dir/release ]]; then
		used "$dir"
		return 0
	fi
	mkdir -p "$(vp_cache)/kbuild"
	rm -rf "$dir"
	tmp=$(mktemp -d "$dir.XXXXXX.tmp")
	TMPDIRS+=("$tmp")
	manifest >"$tmp/manifest"
	if [[ -n ${base_dir:-} ]]; then
		vp_log "$name: copying the base build $(basename "$base_dir")"
		cp -a "$base_dir/tree" "$tmp/tree"
		apply_series "$tmp/tree"
		vp_log "$name: ${#PATCH_FILES[@]} patch(es) applied"
	else
		vp_log "$name: copying $SRC_ID"
		cp -a "$SRC_DIR" "$tmp/tree"
		rm -f "$tmp/tree/.vp-complete"
	fi
	t=$(date +%s)
	configure "$tmp/tree" "$(localversion "$id")"
	cc=$(cc_text "$tmp/tree/.config")
	[[ $cc == "$TC_TEXT" ]] ||
		vp_die "$name: kconfig found the compiler '$cc', the identity names '$TC_TEXT' (toolchain $TOOLCHAIN${TC_DIR:+: its versions file is stale, remove $TC_DIR})"
	if [[ $KIND == debian ]]; then
		targets+=(modules)
		# The compiler's name differs (x86_64-linux-gnu-gcc-12, gcc), its
		# version must not.
		deb_cc=$(cc_text "$DEB_CONFIG")
		[[ ${deb_cc#* } == "${cc#* }" ]] ||
			vp_log "warning: $name: Debian built its kernel with $deb_cc, this build uses $cc (toolchain $TOOLCHAIN): the code differs beyond the config (README, Kernels built from source; toolchain=SUITE in kernel-patches/bases)"
	fi
	vp_log "$name: building ${targets[*]} ($(nproc) jobs; log in $dir/build.log)"
	{
		echo "configure_seconds $(($(date +%s) - t))"
		echo "load_before $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$tmp/build-times"
	# How busy the machine is while it builds: the 1-minute load average,
	# every 30 s.
	(while sleep 30; do cut -d' ' -f1 /proc/loadavg; done) >"$tmp/.load" &
	SAMPLER=$!
	TIMEFORMAT='%R %U %S'
	if ! { time kmake -C "$tmp/tree" -j"$(nproc)" "${targets[@]}" >"$tmp/build.log" 2>&1; } 2>"$tmp/.time"; then
		tail -n 30 "$tmp/build.log" >&2
		vp_die "$name: the kernel build failed"
	fi
	install_modules "$tmp"
	kill "$SAMPLER" 2>/dev/null || true
	SAMPLER=
	echo "total_seconds $(($(date +%s) - t0)) (with copying the tree, configuring, installing the modules)" >>"$tmp/build-times"
	finish_build "$name" "$id" "$tmp" "$dir" "${base_dir:+yes}"
	vp_log "$name: built $(<"$dir/release") in $(<"$dir/build-seconds")s"
	used "$dir"
}

# install_modules TMP: the modules into TMP/modroot, as Debian's are laid
# out (signed, xz-compressed), without the build and source links.
install_modules() {
	local tmp=$1 rel
	[[ $KIND == tiny ]] && return 0
	kmake -s -C "$tmp/tree" INSTALL_MOD_PATH="$tmp/modroot" modules_install >>"$tmp/build.log" 2>&1 || {
		tail -n 30 "$tmp/build.log" >&2
		vp_die "make modules_install failed"
	}
	rel=$(kmake -s -C "$tmp/tree" kernelrelease)
	rm -f "$tmp/modroot/lib/modules/$rel/build" "$tmp/modroot/lib/modules/$rel/source"
}

# finish_build NAME ID TMP DIR [yes]: (yes: an incremental build) the record of a build (times, config and
# its differences to Debian's, where it came from), then TMP becomes DIR.
finish_build() {
	local name=$1 id=$2 tmp=$3 dir=$4 wall user sys rel c pkg ver
	c=$(vp_cache)
	read -r wall user sys <"$tmp/.time"
	{
		echo "load_after $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "load_mean $(awk '{ s += $1; n++ } END { if (n) printf "%.2f", s / n; else print "-" }' "$tmp/.load")"
		echo "wall_seconds $wall"
		echo "cpu_seconds $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')"
		echo "jobs $(nproc)"
		echo "incremental ${5:-no}"
	} >>"$tmp/build-times"
	rm -f "$tmp/.time" "$tmp/.load"
	rel=$(kmake -s -C "$tmp/tree" kernelrelease)
	[[ $rel == *"$(localversion "$id")" ]] || vp_die "$name: kernel release '$rel' does not carry $(localversion "$id")"
	cp "$tmp/tree/.config" "$tmp/config"
	{
		echo "profile=$PROFILE"
		echo "base_source=cache:${SRC_DIR#"$c"/}"
		if [[ $KIND == debian ]]; then
			read -r pkg ver <<<"$DEB_ORIGIN"
			echo "debian_config_package=$pkg"
			echo "debian_config_version=$ver"
			echo "debian_config_sha256=$DEB_SHA"
			if [[ $DEB_CONFIG == "$c"/* ]]; then
				echo "debian_config=cache:${DEB_CONFIG#"$c"/}"
			fi
			config_diff "$DEB_CONFIG" "$tmp/tree/.vp-debian.config" >"$tmp/config-vs-debian-step1"
			config_diff "$DEB_CONFIG" "$tmp/config" >"$tmp/config-vs-debian"
			builtins_cut "$tmp/tree/.vp-debian.config" "$tmp/config" >"$tmp/builtins-cut"
			echo "config_step1_differences=$(wc -l <"$tmp/config-vs-debian-step1")"
			echo "builtins_cut_with_modules=$(wc -l <"$tmp/builtins-cut")"
			echo "debian_compiler=$(cc_text "$DEB_CONFIG")"
		fi
		echo "compiler=$(cc_text "$tmp/config")"
		echo "toolchain=$TOOLCHAIN"
		echo "linker=$TC_LD"
		if [[ -n $TC_DIR ]]; then
			echo "toolchain_root=cache:${TC_DIR#"$c"/}/root"
			echo "toolchain_packages_sha256=$(sha256sum <"$TC_DIR/packages" | cut -d' ' -f1)"
		fi
	} >"$tmp/source"
	printf '%.0f\n' "$wall" >"$tmp/build-seconds"
	echo "$name" >"$tmp/name"
	echo "$rel" >"$tmp/release"
	mv "$tmp" "$dir"
}

MODE=build
main() {
	local mode=build
	case ${1:-} in
	-h | --help)
		usage
		exit 0
		;;
	--list)
		list_words "$PATCHES/builds"
		exit 0
		;;
	--check)
		mode=check MODE=check
		shift
		;;
	--manifest)
		mode=show_manifest
		shift
		;;
	--patches)
		mode=show_patches MODE=patches
		shift
		;;
	--source)
		mode=show_source MODE=source
		shift
		;;
	"") vp_usage_error "missing build NAME" ;;
	esac
	[[ $# == 1 ]] || vp_usage_error "exactly one build NAME expected"
	vp_need_cmd dpkg-deb dpkg
	vp_need_cmd xz xz-utils
	vp_need_cmd patch
	vp_need_cmd flex
	vp_need_cmd bison
	vp_need_cmd bc
	resolve "$1"
	"$mode" "$1"
}

main "$@"
