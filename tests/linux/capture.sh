#!/usr/bin/env bash
# Linux ITS driver capture (NOT run in CI): boots Debian's arm64 kernel under
# QEMU TCG with a GICv3 + ITS and virtio-pci devices, records QEMU's GIC trace
# and turns it into the replay fixture tests/linux/fixture.txt that
# test_linux_replay feeds to libvgic.
#
#   tests/linux/capture.sh [WORKDIR]      (default /tmp/vgic-linux; needs root
#                                          for the temporary dpkg arch change)
#
# What the guest does (see the generated /init below): loads the virtio-pci
# modules (two virtio-rng devices: one on the root bus, one behind a PCIe
# root port, so two DeviceIDs), moves every ITS-MSI interrupt's affinity
# across the CPUs (MOVI), reads the hardware RNGs (MSIs) between moves, and
# powers off.  Nothing downloaded here is committed: only the fixture.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${1:-/tmp/vgic-linux}
SMP=${SMP:-3}
mkdir -p "$WORK"
cd "$WORK"

# 1. Debian's arm64 kernel and static busybox, downloaded but never
#    installed.  apt-get can fetch a foreign architecture only while it is
#    added, so add it, download, and remove it again whatever happens.
if ! ls linux-image-*_arm64.deb >/dev/null 2>&1 ||
   ! ls busybox-static_*_arm64.deb >/dev/null 2>&1; then
	added=0
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		added=1
	fi
	restore() {
		if [ "$added" = 1 ]; then
			dpkg --remove-architecture arm64
			apt-get update -qq || true
		fi
	}
	trap restore EXIT
	apt-get update -qq
	img=$(apt-cache depends linux-image-arm64:arm64 |
	      sed -n 's/.*Depends: \(linux-image-[^:]*\):arm64.*/\1/p' | head -1)
	[ -n "$img" ] || { echo "cannot resolve linux-image-arm64" >&2; exit 1; }
	apt-get download "$img:arm64" busybox-static:arm64
	restore
	trap - EXIT
fi

rm -rf img bb initrd
dpkg-deb -x linux-image-*_arm64.deb img
dpkg-deb -x busybox-static_*_arm64.deb bb
KVER=$(ls img/lib/modules | head -1)
KIMG=img/boot/vmlinuz-$KVER
MODDIR=img/lib/modules/$KVER/kernel

# 2. The initramfs.
mkdir -p initrd/bin initrd/proc initrd/sys initrd/dev initrd/mod
cp bb/bin/busybox initrd/bin/
for m in virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio-rng; do
	f=$(find "$MODDIR" -name "$m.ko" | head -1)
	[ -n "$f" ] || { echo "module $m not found" >&2; exit 1; }
	cp "$f" initrd/mod/
done
cat > initrd/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "=== INIT REACHED, uptime: $(cut -d' ' -f1 /proc/uptime)"
for m in virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio-rng; do
	insmod /mod/$m.ko
done
sleep 1
ncpu=$(grep -c ^processor /proc/cpuinfo)
rngs=$(cat /sys/class/misc/hw_random/rng_available)
round=0
while [ $round -lt 6 ]; do
	# virtio-rng requests its vectors lazily: list them every round.
	irqs=$(grep ITS-MSI /proc/interrupts | cut -d: -f1 | tr -d ' ')
	echo "=== round $round: cpus $ncpu, ITS-MSI irqs:" $irqs
	cpu=$((round % ncpu))
	mask=$((1 << cpu))
	for i in $irqs; do
		echo $(printf %x $mask) > /proc/irq/$i/smp_affinity 2>/dev/null
	done
	for r in $rngs; do
		echo $r > /sys/class/misc/hw_random/rng_current
		dd if=/dev/hwrng of=/dev/null bs=64 count=8 2>/dev/null
	done
	round=$((round + 1))
done
cat /proc/interrupts | grep -E 'CPU|ITS'
echo "=== DONE"
poweroff -f
INIT
chmod +x initrd/init
(cd initrd && find . | cpio -o -H newc 2>/dev/null | gzip -1 > ../initrd.gz)

# 3. Boot with every GICv3 trace point on (about 20 s under TCG).
rm -f trace.log console.log
timeout 300 qemu-system-aarch64 -M virt,gic-version=3,its=on -cpu max \
	-smp "$SMP" -m 1G -nographic -nic none -no-reboot \
	-kernel "$KIMG" -initrd initrd.gz \
	-append "console=ttyAMA0 rdinit=/init quiet loglevel=4" \
	-device virtio-rng-pci,addr=3.0 \
	-device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=2.0 \
	-device virtio-rng-pci,bus=rp1 \
	-trace 'gicv3_*' -D trace.log </dev/null 2>&1 | head -c 200000 > console.log || true
grep -q '=== DONE' console.log || { tail -20 console.log; echo "guest did not finish" >&2; exit 1; }
grep -E '===|ITS' console.log | head -20

# 4. The fixture.
python3 "$HERE/trace2fixture.py" --smp "$SMP" trace.log > "$HERE/fixture.txt"
wc -l "$HERE/fixture.txt"
