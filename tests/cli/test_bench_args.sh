#!/bin/bash
# harness/bench.sh refuses bad knobs, unbound host devices and suites that
# cannot fit the guest, with one line and before creating a run directory.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

b=$repo/harness/bench.sh
r=$tmp/results
expect 2 "--target must be qemu or host" "$b" --target cloud --results "$r"
expect 2 "--accel must be auto, kvm, tcg or icount" "$b" --accel hvf --results "$r"
expect 2 "--cpus must be a number" "$b" --cpus 0 --results "$r"
expect 2 "--timeout must be a number of seconds" "$b" --timeout 0 --results "$r"
expect 2 "--timeout must be a number of seconds" "$b" --timeout 10m --results "$r"
expect 2 "no suite 'nope' \(have: .*quick" "$b" --suite nope --results "$r"
expect 2 "unknown option '--frobnicate'" "$b" --frobnicate
expect 2 "--target host needs --device" "$b" --target host --results "$r"
expect 1 "no PCI device 0000:7f:1f.7" "$b" --target host --device 7f:1f.7 --results "$r"
expect 2 "--mem 2G is too small" "$b" --mem 2G --results "$r"
printf 'step big vfio-dma-bench --size 64M..4G\n' >"$tmp/big.suite"
expect 1 "step big: needs 4096 MiB of the guest's normal memory at once" "$b" --suite "$tmp/big.suite" --results "$r"
printf 'step huge vfio-dma-bench --size 4G --backing hugetlb-1g\n' >"$tmp/huge.suite"
expect 1 "needs 4096 MiB of the guest's hugetlb-1g memory at once, which has 2048 MiB" "$b" --suite "$tmp/huge.suite" --results "$r"
# The benchmarks answer for themselves (--plan): the = form of an option,
# a mixed backing list checked against each pool, and a BAR that is not RAM.
printf 'step eq vfio-dma-bench --size=4G --backing anon-4k\n' >"$tmp/eq.suite"
expect 1 "step eq: needs 4096 MiB of the guest's normal memory at once" "$b" --suite "$tmp/eq.suite" --results "$r"
printf 'step mix vfio-dma-bench --size 2G --backing hugetlb-1g,hugetlb-2m\n' >"$tmp/mix.suite"
expect 1 "step mix: needs 2048 MiB of the guest's hugetlb-2m memory at once" "$b" --suite "$tmp/mix.suite" --results "$r"
printf 'step bad vfio-dma-bench --size 3Q\n' >"$tmp/bad.suite"
expect 1 "step bad: vfio-dma-bench: error: --size: '3Q' is not a size" "$b" --suite "$tmp/bad.suite" --results "$r"
# Accepted by the check: the run goes on to the kernel, which does not exist.
printf 'step bar vfio-mmio-bench --size 2G --phases bar-map --baseline none\n' >"$tmp/bar.suite"
expect 1 "^kernel.sh: error: no such image" "$b" --suite "$tmp/bar.suite" --kernel local:/nonexistent --results "$r"
# A fragmented 4K buffer needs its holder beside it: 1G fits the guest's
# ordinary memory, 2G (over 4 GiB with the holder) does not.
printf 'step frag vfio-dma-bench --size 1G --backing anon-4k-frag,hugetlb-2m-frag\n' >"$tmp/frag.suite"
expect 1 "^kernel.sh: error: no such image" "$b" --suite "$tmp/frag.suite" --kernel local:/nonexistent --results "$r"
printf 'step frag2g vfio-dma-bench --size 2G --backing anon-4k-frag\n' >"$tmp/frag2g.suite"
expect 1 "step frag2g: needs 4139 MiB of the guest's normal memory at once" "$b" --suite "$tmp/frag2g.suite" --results "$r"
expect 2 "--mem wants a size like 6G" "$b" --mem abc --results "$r"
expect 2 "--mem wants a size like 6G" "$b" --mem 6144 --results "$r"
expect 2 "--kernel needs a value" "$b" --kernel
printf 'step x vfio-nothing-bench\n' >"$tmp/prog.suite"
expect 1 "step x: .*vfio-nothing-bench is not built" "$b" --suite "$tmp/prog.suite" --results "$r"
# exec lines and --extra programs.
expect 2 "--extra $tmp/none: not an executable file" "$b" --extra "$tmp/none" --results "$r"
printf '#!/bin/sh\necho hi\n' >"$tmp/mine"
chmod +x "$tmp/mine"
printf 'exec hi other\n' >"$tmp/exec.suite"
expect 1 "exec hi: other is not a program given with --extra \(make bench EXTRA=path/to/other\)" \
	"$b" --suite "$tmp/exec.suite" --extra "$tmp/mine" --results "$r"
printf 'exec hi mine\nstep hi vfio-dma-bench --size 16M\n' >"$tmp/dup.suite"
expect 1 "two steps named hi" "$b" --suite "$tmp/dup.suite" --extra "$tmp/mine" --results "$r"
printf 'exec selftests mine\n' >"$tmp/st.suite"
expect 1 "'selftests' cannot name a step" "$b" --suite "$tmp/st.suite" --extra "$tmp/mine" --results "$r"
expect 2 "--extra: two programs named mine" "$b" --extra "$tmp/mine,$tmp/mine" --results "$r"
[ ! -e "$r" ] || [ -z "$(ls -A "$r")" ] || fail "a refused run left $(ls "$r") in $r"
expect 0 "" "$b" --help
grep -q -- '--accel MODE' "$tmp/stdout" || fail "--help lacks --accel"
finish
