#!/bin/busybox sh
# PID 1 of the virtpoint test guest: mounts every ext4 virtio disk at /mnt/<dev>, starts qemu-ga.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /proc /sys /dev /run /var /tmp /mnt
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
ln -sf /run /var/run
echo "virtpoint-guest: loading modules"
for m in $(cat /etc/modules.order); do
  insmod "/lib/modules/$m.ko" || echo "virtpoint-guest: insmod $m failed"
done
# virtio devices probe asynchronously; give the disks and ports a moment to appear.
i=0
while [ $i -lt 50 ] && ! ls /dev/vd? >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
for d in /dev/vd?; do
  [ -b "$d" ] || continue
  name=${d#/dev/}
  mkdir -p "/mnt/$name"
  if mount -t ext4 "$d" "/mnt/$name" 2>/dev/null; then
    echo "virtpoint-guest: mounted $d at /mnt/$name"
  else
    rmdir "/mnt/$name"
    echo "virtpoint-guest: $d has no ext4 filesystem, left unmounted"
  fi
done
port=""
for p in /sys/class/virtio-ports/*; do
  [ -f "$p/name" ] || continue
  if [ "$(cat "$p/name")" = "org.qemu.guest_agent.0" ]; then port="/dev/$(basename "$p")"; fi
done
if [ -n "$port" ]; then
  qemu-ga -m virtio-serial -p "$port" -d -f /run/qemu-ga.pid -t /run
  echo "virtpoint-guest: qemu-ga started on $port"
else
  echo "virtpoint-guest: no guest agent channel"
fi
echo "virtpoint-guest: ready"
while true; do sleep 3600; done
