#!/usr/bin/env bash
# Builds the virtpoint test guest from Debian packages only: a Debian kernel for direct boot and a
# small initramfs with busybox and qemu-ga. Output in vm-fixtures/build/ (git-ignored):
#   vmlinuz, initrd.img, stamp (the inputs it was built from).
# Rebuilt only when an input changes (kernel package version, busybox, qemu-guest-agent, the
# scripts in this directory). Run as root or as a user that can run apt-get download.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/build"
cache="$out/cache"

fail() {
  echo "vm-fixtures: $1" >&2
  [ $# -gt 1 ] && echo "  what to do: $2" >&2
  exit 1
}

for tool in apt-get apt-cache dpkg-deb dpkg-query cpio gzip ldd sha256sum; do
  command -v "$tool" >/dev/null || fail "missing tool '$tool'" "run scripts/setup-host.sh (installs the packages the fixtures need)"
done
[ -x /bin/busybox ] || fail "busybox not found at /bin/busybox" "apt-get install busybox-static"
[ -x /usr/sbin/qemu-ga ] || fail "qemu-ga not found at /usr/sbin/qemu-ga" "apt-get install qemu-guest-agent"
busybox_static=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null) ||
  fail "busybox-static is not installed" "apt-get install busybox-static"
qga_version=$(dpkg-query -W -f='${Version}' qemu-guest-agent 2>/dev/null) ||
  fail "qemu-guest-agent is not installed" "apt-get install qemu-guest-agent"

kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || fail "cannot resolve the kernel package behind linux-image-amd64" "run apt-get update"
kver=$(apt-cache show --no-all-versions "$kpkg" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
[ -n "$kver" ] || fail "no version known for $kpkg" "run apt-get update"

inputs=$(
  echo "kernel $kpkg $kver"
  echo "busybox-static $busybox_static"
  echo "qemu-guest-agent $qga_version"
  cd "$here" && sha256sum build.sh init.sh shutdown.sh modules.order
)
stamp=$(printf '%s\n' "$inputs" | sha256sum | cut -d' ' -f1)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
  echo "vm-fixtures: up to date ($out)"
  exit 0
fi

start=$(date +%s)
echo "vm-fixtures: building from $kpkg $kver, busybox-static $busybox_static, qemu-guest-agent $qga_version"
mkdir -p "$cache"
deb=$(ls "$cache"/"${kpkg}"_*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ] || [ "$(dpkg-deb -f "$deb" Version)" != "$kver" ]; then
  rm -f "$cache"/linux-image-*.deb
  (cd "$cache" && apt-get download -q "$kpkg" 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
  deb=$(ls "$cache"/"${kpkg}"_*.deb 2>/dev/null | head -n1 || true)
  [ -n "$deb" ] || fail "apt-get download $kpkg failed" "check that Debian's package mirror is reachable (apt-get update)"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/kernel"
vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-* | head -n1)
moddir=$(ls -d "$work"/kernel/lib/modules/* | head -n1)

root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/sbin,etc,lib/modules,lib64,proc,sys,dev,run,tmp,mnt}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$here/init.sh" "$root/init"
install -m 0755 "$here/shutdown.sh" "$root/sbin/shutdown"
cp "$here/modules.order" "$root/etc/modules.order"
while read -r m; do
  [ -n "$m" ] || continue
  ko=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
  [ -n "$ko" ] || fail "kernel module $m not found in $kpkg" "check vm-fixtures/modules.order against the kernel"
  case "$ko" in
    *.xz) xz -dc "$ko" >"$root/lib/modules/$m.ko" ;;
    *) cp "$ko" "$root/lib/modules/$m.ko" ;;
  esac
done <"$here/modules.order"

# qemu-ga and every library it links, at the same paths.
install -m 0755 /usr/sbin/qemu-ga "$root/usr/sbin/qemu-ga"
for lib in $(ldd /usr/sbin/qemu-ga | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --owner=0:0 | gzip -6) >"$work/initrd.img"
mkdir -p "$out"
cp "$vmlinuz" "$out/vmlinuz.new" && mv "$out/vmlinuz.new" "$out/vmlinuz"
mv "$work/initrd.img" "$out/initrd.img"
printf '%s\n' "$inputs" >"$out/inputs"
echo "$stamp" >"$out/stamp"
size=$(du -cb "$out/vmlinuz" "$out/initrd.img" | awk 'END {print $1}')
echo "vm-fixtures: built in $(($(date +%s) - start)) s: vmlinuz + initrd.img = $((size / 1024 / 1024)) MiB ($size bytes)"
