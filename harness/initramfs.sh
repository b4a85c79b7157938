#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Build the busybox initramfs the QEMU guest boots into.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: initramfs.sh --kernel-dir DIR --out FILE.cpio.gz [--bin PATH]... [--module NAME]...
                    [--file SRC:DEST]...

Build a busybox-static initramfs for the kernel in DIR (from kernel.sh):
  /init                      harness/guest-init
  /bin/busybox + applets     from the host's busybox-static
  /usr/bin/NAME              each --bin PATH, with every shared library ldd
                             reports (and the dynamic loader) at its host path
  /lib/modules/RELEASE/...   the modules below and all their dependencies,
                             decompressed, loaded by /init in the order listed
                             in /etc/vfio-perf/modules
  /dev/console               character device 5:1
  DEST                       each --file SRC:DEST (DEST absolute), a copy of SRC

Modules always included: vfio_iommu_type1 (where the kernel has the VFIO container) vfio-pci 9p 9pnet_virtio virtio_pci
(the 9p transport; built in on 6.12, a module on 6.1), and what they pull in
(irqbypass vfio vfio-pci-core 9pnet netfs ...). --module adds more.
A module built into the kernel (modules.builtin) needs no file; one that is
neither built in nor a module of DIR is an error. A kernel without module
support (CONFIG_MODULES unset) gets no modules at all.

FILE is replaced atomically. Building takes a few seconds; it is not cached.
Needs no root.

Example: harness/initramfs.sh --kernel-dir "$(harness/kernel.sh 6.12)" --out /tmp/guest.cpio.gz
EOF
}

DEFAULT_MODULES=(vfio_iommu_type1 vfio-pci 9p 9pnet_virtio virtio_pci)

# newc_entry NAME MODE INO NLINK RMAJOR RMINOR: a data-less cpio "newc"
# header, so device nodes can go into the archive without root or mknod.
newc_entry() {
	local name=$1 mode=$2 ino=$3 nlink=$4 rmaj=$5 rmin=$6 size pad
	size=$((${#name} + 1))
	printf '070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x' \
		"$ino" "$mode" 0 0 "$nlink" 0 0 0 0 "$rmaj" "$rmin" "$size" 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + size) % 4) % 4))
	head -c "$pad" /dev/zero
}

# The device nodes, as a second archive appended to the first; the kernel
# unpacks concatenated archives in order.
device_archive() {
	newc_entry dev/console $((8#020600)) 1 1 5 1
	newc_entry TRAILER!!! 0 0 1 0 0
}

# add_file SRC DEST: copy SRC (following symlinks) to DEST in the image.
add_file() {
	mkdir -p "$STAGE$(dirname "$2")"
	rm -f "$STAGE$2"
	cp -L "$1" "$STAGE$2" || vp_die "cannot copy $1"
}

# add_binary PATH: PATH as /usr/bin/NAME plus the libraries it loads.
add_binary() {
	local bin=$1 out line lib
	[[ -f $bin && -x $bin ]] || vp_die "--bin $bin: not an executable file"
	add_file "$bin" "/usr/bin/$(basename "$bin")"
	if ! out=$(ldd "$bin" 2>&1); then
		[[ $out == *"not a dynamic executable"* ]] && return 0
		vp_die "ldd $bin failed: $out"
	fi
	while read -r line; do
		case $line in
		*"=> not found"*) vp_die "$bin needs ${line%% *}, which ldd cannot find" ;;
		*"=> /"*) lib=${line#*=> } ;;
		/*) lib=$line ;; # the dynamic loader
		*) continue ;;   # linux-vdso.so.1, statically linked
		esac
		lib=${lib%% (*}
		[[ -e $STAGE$lib ]] || add_file "$lib" "$lib"
	done <<<"$out"
}

# add_modules: resolve the module list with modprobe against the kernel's
# own modules.dep, decompress each file into the image, and write the
# load order.
add_modules() {
	local mroot=$KDIR/modroot rel=$RELEASE mdir list=() m out line path dest
	local -A seen=()
	if grep -qx '# CONFIG_MODULES is not set' "$KDIR/config"; then
		vp_log "kernel $rel has no module support: no modules, all must be built in"
		: >"$STAGE/etc/vfio-perf/modules"
		return 0
	fi
	mdir=$mroot/lib/modules/$rel
	[[ -f $mdir/modules.dep ]] || vp_die "$mdir/modules.dep missing (provision with kernel.sh)"
	for m in "${DEFAULT_MODULES[@]}" "${MODULES[@]}"; do
		# Without the VFIO container there is no type1 (a build of
		# profile iommufd-compat: /dev/vfio/vfio is iommufd's).
		if [[ $m == vfio_iommu_type1 ]] && grep -qx '# CONFIG_VFIO_CONTAINER is not set' "$KDIR/config" 2>/dev/null; then
			vp_log "kernel $rel has no vfio_iommu_type1 (no VFIO container): not included"
			continue
		fi
		out=$(modprobe -C /dev/null -d "$mroot" -S "$rel" --show-depends "$m" 2>&1) ||
			vp_die "module $m is neither built into $rel nor one of its modules"
		while read -r line; do
			case $line in
			"builtin "*) continue ;;
			"insmod "*)
				path=${line#insmod }
				path=${path%% *}
				;;
			*) vp_die "module $m: unexpected modprobe output: $line" ;;
			esac
			[[ -n ${seen[$path]:-} ]] && continue
			seen[$path]=1
			list+=("$path")
		done <<<"$out"
	done
	for path in "${list[@]}"; do
		dest=/lib/modules/$rel/${path#*/lib/modules/"$rel"/}
		dest=${dest%.xz}
		dest=${dest%.zst}
		dest=${dest%.gz}
		mkdir -p "$STAGE$(dirname "$dest")"
		case $path in
		*.ko.xz) xz -dc "$path" >"$STAGE$dest" ;;
		*.ko.zst) zstd -qdc "$path" >"$STAGE$dest" ;;
		*.ko.gz) gzip -dc "$path" >"$STAGE$dest" ;;
		*.ko) cp "$path" "$STAGE$dest" ;;
		*) vp_die "unknown module file type: $path" ;;
		esac
		printf '%s\n' "$dest"
	done >"$STAGE/etc/vfio-perf/modules"
	vp_log "modules: $(xargs -n1 basename <"$STAGE/etc/vfio-perf/modules" | tr '\n' ' ')"
}

add_busybox() {
	local bb applet
	bb=$(command -v busybox) || vp_die "busybox not found (install busybox-static)"
	ldd "$bb" >/dev/null 2>&1 && vp_die "$bb is dynamically linked (install busybox-static)"
	add_file "$bb" /bin/busybox
	while read -r applet; do
		[[ $applet == bin/busybox ]] && continue
		mkdir -p "$STAGE/$(dirname "$applet")"
		ln -sf /bin/busybox "$STAGE/$applet"
	done < <("$bb" --list-full)
}

main() {
	local out='' bins=() files=() arg
	KDIR='' MODULES=()
	while (($#)); do
		arg=$1
		case $arg in
		-h | --help)
			usage
			exit 0
			;;
		--kernel-dir | --out | --bin | --module | --file)
			(($# >= 2)) || vp_usage_error "$arg needs a value"
			case $arg in
			--kernel-dir) KDIR=$2 ;;
			--out) out=$2 ;;
			--bin) bins+=("$2") ;;
			--module) MODULES+=("$2") ;;
			--file)
				[[ $2 == ?*:/?* ]] || vp_usage_error "--file wants SRC:/DEST, not '$2'"
				files+=("$2")
				;;
			esac
			shift 2
			;;
		*) vp_usage_error "unknown argument '$arg'" ;;
		esac
	done
	[[ -n $KDIR ]] || vp_usage_error "--kernel-dir is required"
	[[ -n $out ]] || vp_usage_error "--out is required"
	[[ -f $KDIR/release ]] || vp_die "$KDIR is not a kernel directory (no release file; see kernel.sh)"
	KDIR=$(realpath "$KDIR")
	RELEASE=$(<"$KDIR/release")
	vp_need_cmd cpio
	vp_need_cmd modprobe kmod
	vp_need_cmd xz xz-utils
	vp_need_cmd zstd

	STAGE=$(mktemp -d "${TMPDIR:-/tmp}/vfio-perf-initramfs.XXXXXX")
	TMPOUT=''
	trap 'rm -rf "$STAGE" "$TMPOUT"' EXIT
	mkdir -p "$STAGE"/{dev,proc,sys,tmp,run,root,etc/vfio-perf} \
		"$STAGE"/mnt/{share,huge-2M,huge-1G}
	ln -s /proc/mounts "$STAGE/etc/mtab"
	printf '%s\n' "$RELEASE" >"$STAGE/etc/vfio-perf/release"
	add_busybox
	add_file "$(vp_repo)/harness/guest-init" /init
	chmod 0755 "$STAGE/init"
	add_modules
	for arg in "${bins[@]}"; do
		add_binary "$arg"
	done
	for arg in "${files[@]}"; do
		add_file "${arg%%:/*}" "/${arg#*:/}"
	done

	mkdir -p "$(dirname "$out")"
	TMPOUT=$(mktemp "$out.XXXXXX.tmp")
	{
		(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet) || exit 1
		device_archive
	} | gzip -6 >"$TMPOUT" || vp_die "cannot write the archive"
	chmod 0644 "$TMPOUT"
	mv -f "$TMPOUT" "$out"
	vp_log "wrote $out ($(du -h "$out" | cut -f1), kernel $RELEASE)"
}

main "$@"
