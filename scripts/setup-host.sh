#!/usr/bin/env bash
# Sets up a Debian 12 host for virtpoint: the packages the daemon and the tests need, the npm
# dependencies and the build, the test guest fixture, and a running libvirtd. Idempotent; run as
# root from the repository: `sudo scripts/setup-host.sh`.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

step() { echo "==> $*"; }
fail() {
  echo "setup-host: FAILED: $1" >&2
  [ $# -gt 1 ] && echo "setup-host: what to do: $2" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "must run as root (it installs packages and starts libvirtd)" "run: sudo $0"
[ -r /etc/debian_version ] || fail "this script supports Debian 12 only" "install the packages listed in $0 by hand"

# Runtime: libvirt + QEMU + qemu-img. Tests: the guest fixture's inputs and the tools that read images.
RUNTIME_PKGS=(qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients)
TEST_PKGS=(busybox-static e2fsprogs cpio gzip qemu-guest-agent dbus systemd)
BUILD_PKGS=(python3 make g++)
# Servers and tools the tests talk to (installed without recommends: ceph-mgr and its ~35 Python
# packages are not needed for the RADOS Gateway): a one-node Ceph RGW (S3), sshd (SFTP),
# promtool (metrics format), rclone (copy bench baseline), Cockpit's web service and bridge and
# chromium for the plugin's browser tests (docs/cockpit.md).
SERVER_PKGS=(ceph-mon ceph-osd radosgw uuid-runtime curl openssh-server prometheus rclone
  cockpit-ws cockpit-bridge chromium)

# install_missing WHAT [apt-get option...] -- PACKAGE...: installs those not installed yet.
install_missing() {
  local what=$1 opts=() missing=() p
  shift
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    step "$what present"
    return
  fi
  step "installing $what: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || fail "apt-get update failed" "check /etc/apt/sources.list and the network to the Debian mirror"
  apt-get install -y -q "${opts[@]}" "${missing[@]}" >/tmp/virtpoint-apt.log 2>&1 ||
    fail "apt-get install ${missing[*]} failed (log: /tmp/virtpoint-apt.log)" "read the log; fix apt, then run this script again"
}
install_missing "Debian packages" -- "${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}" "${BUILD_PKGS[@]}"
install_missing "the test servers' Debian packages" --no-install-recommends -- "${SERVER_PKGS[@]}"

command -v node >/dev/null || fail "node is not installed" "install Node.js 20 or newer"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "Node.js $(node -v) is too old" "install Node.js 20 or newer"

# npm ci only when the lock file changed since the last install (it rebuilds native modules: ~2 min).
stamp_file=node_modules/.virtpoint-lock-sha256
lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$lock_sha" ]; then
  step "npm dependencies up to date"
else
  step "npm ci (compiles better-sqlite3 and friends from source)"
  npm ci --no-audit --no-fund >/tmp/virtpoint-npm.log 2>&1 ||
    fail "npm ci failed (log: /tmp/virtpoint-npm.log)" "read the log; a native build needs python3, make and g++"
  echo "$lock_sha" >"$stamp_file"
fi

step "building"
npm run -s build || fail "npm run build failed" "run 'npm run build' and fix the TypeScript errors it prints"

step "building the test guest (vm-fixtures/build)"
bash vm-fixtures/build.sh || fail "the test guest fixture did not build" "read the message above"

libvirt_ok() { virsh -q -c qemu:///system version >/dev/null 2>&1; }

if libvirt_ok; then
  step "libvirtd answers"
elif [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  step "starting libvirtd through systemd"
  systemctl enable --now virtlogd.socket libvirtd.socket libvirtd.service ||
    fail "systemctl could not start libvirtd" "see: journalctl -u libvirtd"
else
  step "starting virtlogd and libvirtd (no systemd as PID 1)"
  mkdir -p /run/libvirt
  pgrep -x virtlogd >/dev/null || virtlogd -d || fail "virtlogd did not start" "run 'virtlogd' in a terminal to see why"
  pgrep -x libvirtd >/dev/null || libvirtd -d || fail "libvirtd did not start" "run 'libvirtd' in a terminal to see why"
fi

for _ in $(seq 1 60); do
  libvirt_ok && break
  sleep 0.5
done
libvirt_ok || fail "libvirtd does not answer on /var/run/libvirt/libvirt-sock after 30 s" \
  "check 'virsh -c qemu:///system version' and libvirtd's log (/var/log/libvirt/libvirtd.log)"
step "ready: $(virsh -q -c qemu:///system version | grep -i 'running hypervisor' || true)"

# virtpointd: wrappers in /usr/local/bin running this checkout's build, then the daemon itself —
# through systemd where it is PID 1, else in the background with a PID file and a log file.
step "installing virtpoint and virtpointd into /usr/local/bin"
# (the CLI is the one-file bundle scripts/build-cli.mjs makes: it starts faster than the tsc output)
for bin in virtpoint:cli/virtpoint.mjs virtpointd:daemon/main.js; do
  name=${bin%%:*}
  printf '#!/bin/sh\nexec %s %s "$@"\n' "$(command -v node)" "$repo/dist/${bin##*:}" >"/usr/local/bin/$name.new"
  chmod 0755 "/usr/local/bin/$name.new" && mv "/usr/local/bin/$name.new" "/usr/local/bin/$name"
done
step "installing the man pages into /usr/local/share/man"
for page in man/virtpoint.1 man/virtpointd.8 man/virtpoint.conf.5; do
  install -D -m 0644 "$page" "/usr/local/share/man/man${page##*.}/${page#man/}"
done
if [ -d /usr/share/cockpit ]; then
  step "installing the Cockpit plugin into /usr/share/cockpit/virtpoint"
  rm -rf /usr/share/cockpit/virtpoint.new
  cp -r cockpit/dist /usr/share/cockpit/virtpoint.new && rm -f /usr/share/cockpit/virtpoint.new/config.json
  rm -rf /usr/share/cockpit/virtpoint && mv /usr/share/cockpit/virtpoint.new /usr/share/cockpit/virtpoint
fi
getent group virtpoint >/dev/null || groupadd --system virtpoint ||
  fail "could not create the group virtpoint" "run: groupadd --system virtpoint"

daemon_ok() { /usr/local/bin/virtpoint status >/dev/null 2>&1; }
pidfile=/run/virtpoint/virtpointd.pid
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  step "starting virtpointd through systemd"
  install -m 0644 systemd/virtpointd.service /etc/systemd/system/virtpointd.service
  install -m 0644 systemd/virtpoint.sysusers.conf /etc/sysusers.d/virtpoint.conf
  install -m 0644 systemd/virtpoint.tmpfiles.conf /etc/tmpfiles.d/virtpoint.conf
  systemd-sysusers /etc/sysusers.d/virtpoint.conf && systemd-tmpfiles --create /etc/tmpfiles.d/virtpoint.conf
  systemctl daemon-reload && systemctl enable virtpointd.service && systemctl restart virtpointd.service ||
    fail "systemctl could not start virtpointd" "see: journalctl -u virtpointd"
else
  step "starting virtpointd in the background (no systemd as PID 1; log: /var/log/virtpoint/virtpointd.log)"
  mkdir -p /var/log/virtpoint /run/virtpoint /var/lib/virtpoint
  # Rotation of the log file (size 50M, keep 5; docs/systemd.md "Without systemd").
  install -m 0644 scripts/virtpoint.logrotate /etc/logrotate.d/virtpoint
  chmod 0700 /var/log/virtpoint && chmod 0750 /run/virtpoint && chmod 0711 /var/lib/virtpoint && chgrp virtpoint /run/virtpoint
  # Restart the one we started before (by the PID in our PID file, if it still is virtpointd).
  if [ -f "$pidfile" ]; then
    old=$(cat "$pidfile")
    if [ -n "$old" ] && grep -q "virtpointd\|dist/daemon/main.js" "/proc/$old/cmdline" 2>/dev/null; then
      kill -TERM "$old"
      for _ in $(seq 1 100); do [ -d "/proc/$old" ] || break; sleep 0.2; done
    fi
    rm -f "$pidfile"
  fi
  # The log is private (it may name domains, paths and receivers): 0600, also when it existed.
  touch /var/log/virtpoint/virtpointd.log && chmod 0600 /var/log/virtpoint/virtpointd.log
  nohup /usr/local/bin/virtpointd >>/var/log/virtpoint/virtpointd.log 2>&1 </dev/null &
  echo $! >"$pidfile"
fi
for _ in $(seq 1 60); do
  daemon_ok && break
  sleep 0.5
done
daemon_ok || fail "virtpointd does not answer on /run/virtpoint/virtpoint.sock" \
  "read /var/log/virtpoint/virtpointd.log (or journalctl -u virtpointd)"
step "virtpointd is running: try 'virtpoint status' and 'virtpoint domain list'"
