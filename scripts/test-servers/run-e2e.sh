#!/usr/bin/env bash
# `npm run test:e2e [-- FILE...]`: starts the S3 (Ceph RGW) and SSH test servers once, runs the
# e2e tests with ava (all of test/e2e, or the files given), and stops both servers by their PID
# files whatever the tests did. The tests find the servers through two files:
#   VIRTPOINT_TEST_S3   = <run dir>/ceph/s3.json   (endpoint, region, key files)
#   VIRTPOINT_TEST_SSH  = <run dir>/sshd/ssh.json  (host, port, user, identity, known_hosts, path)
# The run directory is removed afterwards unless VIRTPOINT_KEEP_SERVERS_DIR=1 (for debugging).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

run_dir=$(mktemp -d /var/tmp/virtpoint-servers.XXXXXX) || exit 1
# The SSH test user must traverse it to its home (sshd.sh keeps the secrets in 0600 files).
chmod 0711 "$run_dir"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  bash "$here/sshd.sh" stop "$run_dir/sshd" || rc=1
  bash "$here/ceph-rgw.sh" stop "$run_dir/ceph" || rc=1
  if [ "${VIRTPOINT_KEEP_SERVERS_DIR:-}" = 1 ]; then
    echo "test servers: kept $run_dir" >&2
  else
    rm -rf "$run_dir"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$(date +%s)
bash "$here/ceph-rgw.sh" start "$run_dir/ceph" >"$run_dir/ceph-start.log" 2>&1 || {
  cat "$run_dir/ceph-start.log" >&2
  echo "test servers: Ceph RGW did not start (logs: $run_dir/ceph/log; keep them with VIRTPOINT_KEEP_SERVERS_DIR=1)" >&2
  exit 1
}
bash "$here/sshd.sh" start "$run_dir/sshd" >"$run_dir/sshd-start.log" 2>&1 || {
  cat "$run_dir/sshd-start.log" >&2
  echo "test servers: sshd did not start (log: $run_dir/sshd/sshd.log)" >&2
  exit 1
}
echo "test servers: Ceph RGW and sshd ready in $(($(date +%s) - started)) s (under $run_dir)"
export VIRTPOINT_TEST_S3=$run_dir/ceph/s3.json
export VIRTPOINT_TEST_SSH=$run_dir/sshd/ssh.json

files=("$@")
[ ${#files[@]} -gt 0 ] || files=("test/e2e/**/*.test.ts")
# Not exec: the trap must run after ava, pass or fail.
npx ava --serial --concurrency=1 --timeout=10m "${files[@]}"
