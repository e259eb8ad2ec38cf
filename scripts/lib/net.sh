# A free TCP port on loopback (the kernel picks it; it is free when this returns).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
