#!/bin/sh
# /sbin/shutdown for the test guest: qemu-ga's guest-shutdown runs this. Clean power-off.
sync
for m in $(awk '$1 ~ /^\/dev\/vd/ {print $2}' /proc/mounts); do umount "$m" || mount -o remount,ro "$m"; done
sync
case " $* " in
  *" -r "*) reboot -f ;;
  *) poweroff -f ;;
esac
