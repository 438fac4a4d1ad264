#!/usr/bin/env bash
# An sshd of its own on 127.0.0.1 with a throwaway test user, for the e2e tests.
#
#   scripts/test-servers/sshd.sh start DIR   host key, client key, test user, sshd under DIR
#   scripts/test-servers/sshd.sh stop DIR    stops that sshd by DIR/sshd.pid, removes the user
#
# `start` writes DIR/ssh.json: host, port, user, the client key (identityFile, 0600), a
# known_hosts file pinning the generated host key, and the directory the user may write
# (path). The user is `vpts-<random>` (made with `useradd -p '*'`: with `UsePAM no` sshd refuses
# key logins for a locked `!` account), home DIR/home; its name is kept in DIR/user so `stop`
# removes only the user this script made.
set -euo pipefail

die() {
  echo "sshd: $*" >&2
  exit 1
}

[ $# -eq 2 ] || die "usage: $0 start|stop DIR"
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
conf=$dir/sshd_config

our_pid() {
  local pid state
  [ -f "$dir/sshd.pid" ] || return 1
  pid=$(cat "$dir/sshd.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$conf" || return 1
  echo "$pid"
}

stop() {
  local pid
  if pid=$(our_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      our_pid >/dev/null || break
      sleep 0.1
    done
    ! our_pid >/dev/null || die "sshd (PID $pid) did not stop"
  fi
  if [ -f "$dir/user" ]; then
    local user
    user=$(cat "$dir/user")
    # Sessions of the test user end with their connections; wait for them, then remove the user.
    for _ in $(seq 1 50); do
      [ -z "$(ps -o pid= -u "$user" 2>/dev/null)" ] && break
      sleep 0.1
    done
    if getent passwd "$user" >/dev/null; then
      userdel "$user" || die "userdel $user failed (processes left: $(ps -o pid= -u "$user" | tr '\n' ' '))"
    fi
    rm -f "$dir/user"
  fi
}

start() {
  for b in /usr/sbin/sshd ssh-keygen ssh-keyscan useradd userdel python3; do
    command -v "$b" >/dev/null || die "$b is missing: run scripts/setup-host.sh (SERVER_PKGS)"
  done
  if our_pid >/dev/null; then
    echo "sshd: already running (coordinates: $dir/ssh.json)"
    return 0
  fi
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty: give an empty directory"
  trap 'stop' EXIT
  local port user home
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  user=vpts-$(openssl rand -hex 4)
  home=$dir/home
  # The user must reach its home: DIR traversable, home and .ssh not group/world-writable.
  chmod 0711 "$dir"
  ssh-keygen -q -t ed25519 -N '' -C virtpoint-test-host -f "$dir/host_ed25519" >/dev/null
  ssh-keygen -q -t ed25519 -N '' -C virtpoint-test-client -f "$dir/client_ed25519" >/dev/null
  chmod 0600 "$dir/client_ed25519"
  useradd -p '*' -M -d "$home" -s /bin/sh "$user" || die "useradd $user failed"
  echo "$user" >"$dir/user"
  mkdir -p "$home/.ssh" "$home/data"
  cp "$dir/client_ed25519.pub" "$home/.ssh/authorized_keys"
  chmod 0755 "$home" && chmod 0700 "$home/.ssh" && chmod 0600 "$home/.ssh/authorized_keys"
  chown -R "$user:" "$home"
  chmod 0755 "$home"
  printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/known_hosts"
  cat >"$conf" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers $user
AuthorizedKeysFile .ssh/authorized_keys
Subsystem sftp internal-sftp
MaxStartups 64:30:128
MaxSessions 64
EOF
  mkdir -p /run/sshd
  # By absolute path: sshd re-execs itself.
  /usr/sbin/sshd -f "$conf" -E "$dir/sshd.log" || die "sshd did not start (log: $dir/sshd.log)"
  for _ in $(seq 1 50); do
    ssh-keyscan -p "$port" 127.0.0.1 >/dev/null 2>&1 && break
    sleep 0.1
  done
  ssh -q -o BatchMode=yes -o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=yes \
    -i "$dir/client_ed25519" -p "$port" "$user@127.0.0.1" true ||
    die "a key login as $user does not work (log: $dir/sshd.log)"
  cat >"$dir/ssh.json" <<EOF
{
  "host": "127.0.0.1",
  "port": $port,
  "user": "$user",
  "identityFile": "$dir/client_ed25519",
  "knownHostsFile": "$dir/known_hosts",
  "path": "$home/data"
}
EOF
  trap - EXIT
  echo "sshd: ready: $user@127.0.0.1:$port (coordinates: $dir/ssh.json)"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop DIR" ;;
esac
