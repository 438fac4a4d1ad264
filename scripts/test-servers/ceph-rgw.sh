#!/usr/bin/env bash
# A one-node Ceph cluster with a RADOS Gateway (S3) on 127.0.0.1, for the e2e tests.
#
#   scripts/test-servers/ceph-rgw.sh start DIR   bootstraps (or restarts) the cluster under DIR
#   scripts/test-servers/ceph-rgw.sh stop DIR    stops the daemons by the PID files under DIR
#
# Everything lives under DIR: config, keyrings, mon store, the OSD's sparse block file, PID
# files, logs. `start` writes DIR/s3.json (endpoint, region, the key files) and the S3 user's
# keys to DIR/s3/access-key-id and DIR/s3/secret-key (0600). Ready means RGW answers HTTP.
# Facts behind the config: ../../../shared/notes/offhost-facts.md (one-node pitfalls, RGW GC).
set -euo pipefail

die() {
  echo "ceph-rgw: $*" >&2
  exit 1
}

[ $# -eq 2 ] || die "usage: $0 start|stop DIR"
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
conf=$dir/ceph.conf

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# PID from a PID file when that process is alive (not a zombie) and was started with our config.
our_pid() {
  local f=$1 pid state
  [ -f "$f" ] || return 1
  pid=$(cat "$f" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$conf" || return 1
  echo "$pid"
}

stop_one() {
  local name=$1 pid
  pid=$(our_pid "$dir/run/$name.pid") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    our_pid "$dir/run/$name.pid" >/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    our_pid "$dir/run/$name.pid" >/dev/null || return 0
    sleep 0.1
  done
  die "$name (PID $pid) did not stop"
}

stop() {
  [ -f "$conf" ] || return 0
  stop_one client.rgw.a
  stop_one osd.0
  stop_one mon.a
}

write_conf() {
  local fsid=$1 mon_port=$2 rgw_port=$3
  # $name / $id are Ceph's own metavariables: quoted heredoc, then our values substituted.
  sed -e "s|@DIR@|$dir|g" -e "s|@FSID@|$fsid|g" -e "s|@MON_PORT@|$mon_port|g" \
    -e "s|@RGW_PORT@|$rgw_port|g" >"$conf" <<'EOF'
[global]
fsid = @FSID@
mon host = v2:127.0.0.1:@MON_PORT@
mon initial members = a
public addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
run dir = @DIR@/run
pid file = @DIR@/run/$name.pid
admin socket = @DIR@/run/$name.asok
log file = @DIR@/log/$name.log
keyring = @DIR@/keys/$name.keyring
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd pool default pg num = 8
osd pool default pgp num = 8
mon data avail crit = 1
mon data avail warn = 1
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0

[mon.a]
mon data = @DIR@/mon.a

[osd.0]
osd data = @DIR@/osd.0
osd objectstore = bluestore
bluestore block path = @DIR@/osd.0.block
bluestore block create = true
bluestore block size = 10737418240
osd memory target = 536870912

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:@RGW_PORT@
rgw data = @DIR@/rgw.a
rgw gc obj min wait = 60
rgw gc processor period = 60
rgw gc processor max time = 60
EOF
}

bootstrap() {
  local fsid mon_port rgw_port uuid
  fsid=$(uuidgen)
  mon_port=$(free_port)
  rgw_port=$(free_port)
  mkdir -p "$dir/run" "$dir/log" "$dir/keys" "$dir/mon.a" "$dir/osd.0" "$dir/rgw.a" "$dir/s3"
  chmod 0700 "$dir/keys" "$dir/s3"
  write_conf "$fsid" "$mon_port" "$rgw_port"
  local k=$dir/keys
  # Every entity's key goes into the mon's initial keyring, so mkfs registers them all.
  ceph-authtool --create-keyring "$k/mon.a.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$k/client.admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool --create-keyring "$k/osd.0.keyring" --gen-key -n osd.0 \
    --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
  ceph-authtool --create-keyring "$k/client.rgw.a.keyring" --gen-key -n client.rgw.a \
    --cap mon 'allow rw' --cap osd 'allow rwx' >/dev/null
  for e in client.admin osd.0 client.rgw.a; do
    ceph-authtool "$k/mon.a.keyring" --import-keyring "$k/$e.keyring" >/dev/null
  done
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$k/mon.a.keyring" ||
    die "ceph-mon --mkfs failed (log: $dir/log/mon.a.log)"
  ceph-mon -c "$conf" -i a || die "ceph-mon did not start (log: $dir/log/mon.a.log)"
  uuid=$(uuidgen)
  [ "$(timeout 30 ceph -c "$conf" osd new "$uuid" 0)" = 0 ] || die "'ceph osd new' did not give osd.0"
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$uuid" --no-mon-config >>"$dir/log/mkfs.log" 2>&1 ||
    die "ceph-osd --mkfs failed (log: $dir/log/mkfs.log, $dir/log/osd.0.log)"
  ceph-osd -c "$conf" -i 0 || die "ceph-osd did not start (log: $dir/log/osd.0.log)"
  radosgw -c "$conf" -n client.rgw.a || die "radosgw did not start (log: $dir/log/client.rgw.a.log)"
  wait_http "$rgw_port"
  local ak sk
  ak=$(openssl rand -hex 10 | tr a-f A-F)
  sk=$(openssl rand -base64 30 | tr -d '\n/+=')
  (umask 077 && printf '%s' "$ak" >"$dir/s3/access-key-id" && printf '%s' "$sk" >"$dir/s3/secret-key")
  timeout 60 radosgw-admin -c "$conf" user create --uid=virtpoint-test --display-name="virtpoint tests" \
    --access-key="$ak" --secret-key="$sk" >/dev/null || die "radosgw-admin user create failed"
  cat >"$dir/s3.json" <<EOF
{
  "endpoint": "http://127.0.0.1:$rgw_port",
  "region": "default",
  "accessKeyIdFile": "$dir/s3/access-key-id",
  "secretKeyFile": "$dir/s3/secret-key"
}
EOF
}

wait_http() {
  local port=$1
  for _ in $(seq 1 120); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" && return 0
    our_pid "$dir/run/client.rgw.a.pid" >/dev/null || [ ! -f "$dir/run/client.rgw.a.pid" ] ||
      die "radosgw exited (log: $dir/log/client.rgw.a.log)"
    sleep 0.5
  done
  die "RGW does not answer on 127.0.0.1:$port after 60 s (log: $dir/log/client.rgw.a.log)"
}

start() {
  for b in ceph-mon ceph-osd radosgw radosgw-admin ceph-authtool monmaptool uuidgen curl openssl python3; do
    command -v "$b" >/dev/null || die "$b is missing: run scripts/setup-host.sh (SERVER_PKGS)"
  done
  if [ -f "$dir/s3.json" ]; then
    # Restart of a stopped cluster: same config, same data.
    our_pid "$dir/run/mon.a.pid" >/dev/null || ceph-mon -c "$conf" -i a || die "ceph-mon did not start"
    our_pid "$dir/run/osd.0.pid" >/dev/null || ceph-osd -c "$conf" -i 0 || die "ceph-osd did not start"
    our_pid "$dir/run/client.rgw.a.pid" >/dev/null || radosgw -c "$conf" -n client.rgw.a ||
      die "radosgw did not start"
    wait_http "$(sed -n 's|.*"endpoint": "http://127.0.0.1:\([0-9]*\)".*|\1|p' "$dir/s3.json")"
  else
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty and holds no cluster: give an empty directory"
    # A failed bootstrap stops what it started (set -e stays in force inside bootstrap).
    trap 'stop' EXIT
    bootstrap
    trap - EXIT
  fi
  echo "ceph-rgw: ready: $(sed -n 's|.*"endpoint": "\(.*\)".*|\1|p' "$dir/s3.json") (coordinates: $dir/s3.json)"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop DIR" ;;
esac
