# What the benchmark scripts share (scripts/bench-catalog.sh, scripts/bench-scale.sh): ports,
# waiting, wrk's units, and the wasm + JS a first visit to a page loads. Sourced, not run.

# A free TCP port on the loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# url, seconds: waits until url answers 2xx; exits the script when it does not in time.
wait_for() {
  for _ in $(seq 1 $(($2 * 5))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "bench: $1 did not answer within $2 s" >&2; exit 1
}

# wrk prints 812.00us / 3.21ms / 1.05s / 2.00m: milliseconds, two decimals.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.2f", n }'
}

# Installs Debian's wrk when missing (as root), else exits saying so.
need_wrk() {
  command -v wrk >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's wrk"; apt-get install -y wrk >/dev/null
  else
    echo "bench: needs wrk (Debian: apt-get install wrk)" >&2; exit 2
  fi
}

