# Sourced by e2e tests: a local HTTP server (tests/e2e/lib/http_server.py) on 127.0.0.1.
# start_http_server ROOT LOG [CERT KEY]: serves ROOT (over TLS with CERT and KEY), appends
# "METHOD PATH" lines to LOG, sets $http_port and $http_pid. The caller's EXIT trap must run
# stop_http_server (which stops every server started). Waits at most 10 s.
start_http_server() {
  local portfile
  portfile=$(mktemp -u)
  python3 "$(dirname "${BASH_SOURCE[0]}")/http_server.py" "$1" "$portfile" "$2" "${@:3}" &
  http_pid=$!
  http_pids="${http_pids:-} $http_pid"
  for _ in $(seq 100); do
    [ -s "$portfile" ] && break
    kill -0 "$http_pid" 2>/dev/null || { echo "http server died" >&2; return 1; }
    sleep 0.1
  done
  [ -s "$portfile" ] || { echo "http server did not start" >&2; return 1; }
  http_port=$(cat "$portfile")
  rm -f "$portfile"
}
stop_http_server() {
  local p
  for p in ${http_pids:-}; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}
# A port on 127.0.0.1 where nothing listens (bound, then closed).
closed_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
