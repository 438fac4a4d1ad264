#!/usr/bin/env bash
# A cockpit-ws of its own on 127.0.0.1 serving the built virtpoint plugin, for the browser tests.
#
#   scripts/test-servers/cockpit.sh start DIR   cockpit-ws on a free port, plugin from cockpit/dist
#   scripts/test-servers/cockpit.sh stop DIR    stops that cockpit-ws by DIR/cockpit-ws.pid
#
# No systemd, no TLS, no login: `--local-session=cockpit-bridge` runs the bridge as the calling
# user for every connection. XDG_DATA_DIRS=DIR/share, where DIR/share/cockpit/virtpoint is a copy
# of cockpit/dist (plus DIR/share/cockpit/virtpoint/config.json when VIRTPOINT_COCKPIT_SOCKET is
# set: the daemon socket the page talks to). Debian's own packages (base1, static, shell) stay
# reachable through /usr/share. `start` writes DIR/port and waits until cockpit-ws answers.
set -euo pipefail

die() {
  echo "cockpit: $*" >&2
  exit 1
}

[ $# -eq 2 ] || die "usage: $0 start|stop DIR"
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
ws=/usr/lib/cockpit/cockpit-ws
marker="XDG_DATA_DIRS=$dir/share:"

our_pid() {
  local pid state
  [ -f "$dir/cockpit-ws.pid" ] || return 1
  pid=$(cat "$dir/cockpit-ws.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] || return 1
  # Ours: its environment names this DIR (cockpit-ws's own argv does not).
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qF -- "$marker" || return 1
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
    ! our_pid >/dev/null || die "cockpit-ws (PID $pid) did not stop"
  fi
  rm -f "$dir/cockpit-ws.pid" "$dir/port"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  [ -x "$ws" ] || die "$ws missing: apt-get install --no-install-recommends cockpit-ws cockpit-bridge"
  command -v cockpit-bridge >/dev/null || die "cockpit-bridge missing: apt-get install --no-install-recommends cockpit-bridge"
  [ -f "$repo/cockpit/dist/index.html" ] || die "cockpit/dist is not built: npm run build:cockpit"
  our_pid >/dev/null && die "a cockpit-ws of $dir is already running"
  rm -rf "$dir/share"
  mkdir -p "$dir/share/cockpit"
  cp -r "$repo/cockpit/dist" "$dir/share/cockpit/virtpoint"
  if [ -n "${VIRTPOINT_COCKPIT_SOCKET:-}" ]; then
    printf '{"socket": "%s"}\n' "$VIRTPOINT_COCKPIT_SOCKET" >"$dir/share/cockpit/virtpoint/config.json"
  fi
  local port
  port=$(free_port)
  XDG_DATA_DIRS="$dir/share:/usr/local/share:/usr/share" \
    setsid "$ws" --no-tls --address 127.0.0.1 --port "$port" --local-session=cockpit-bridge \
    >"$dir/cockpit-ws.log" 2>&1 </dev/null &
  echo $! >"$dir/cockpit-ws.pid"
  for _ in $(seq 1 100); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/cockpit/@localhost/manifests.json"; then
      echo "$port" >"$dir/port"
      echo "cockpit-ws on 127.0.0.1:$port (PID $(cat "$dir/cockpit-ws.pid"))"
      return 0
    fi
    our_pid >/dev/null || die "cockpit-ws exited: $(cat "$dir/cockpit-ws.log")"
    sleep 0.1
  done
  stop
  die "cockpit-ws did not answer on 127.0.0.1:$port within 10 s: $(cat "$dir/cockpit-ws.log")"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop DIR" ;;
esac
