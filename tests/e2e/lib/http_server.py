#!/usr/bin/env python3
"""A small HTTP server for the e2e tests, on 127.0.0.1 only.

Usage: http_server.py ROOT PORTFILE LOGFILE [CERT KEY]

Binds port 0 (the kernel picks a free port), writes the port to PORTFILE once listening, and
serves the files under ROOT (over TLS with CERT and KEY when given). Every request is appended to LOGFILE as "METHOD PATH". Special paths:
  /redirect/REST       302 to /REST
  /redirect2/REST      302 to /redirect/REST (two hops)
  /loop/...            302 to itself (a redirect loop)
  /status/CODE/...     answers CODE with a short text body
  /flaky/N/KEY/REST    503 for the first N requests of KEY, then serves /REST
  /stall/REST          sends the headers and a first byte of /REST, then nothing (a stalled download)
  /auth/REST           401 unless the request has HTTP basic authentication "nixpp:secret"
Files are sent with an ETag (a hash of their contents); If-None-Match with it gets a 304 (logged
as "304 PATH").
Exits on SIGTERM, or when its parent process is gone (a killed test leaves no server behind).
"""
import http.server
import os
import base64
import hashlib
import signal
import ssl
import sys
import threading
import time

root, portfile, logfile = sys.argv[1], sys.argv[2], sys.argv[3]
tls = sys.argv[4:6]
counts = {}
lock = threading.Lock()


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *a, **kw):
        super().__init__(*a, directory=root, **kw)

    def log_message(self, fmt, *args):
        pass

    def record(self):
        with lock, open(logfile, "a") as f:
            f.write(f"{self.command} {self.path}\n")

    def send_text(self, code, text, extra=()):
        body = text.encode()
        self.send_response(code)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def route(self):
        self.etag = None
        self.record()
        p = self.path
        if p.startswith("/redirect/"):
            return self.send_text(302, "moved\n", [("Location", "/" + p[len("/redirect/"):])])
        if p.startswith("/redirect2/"):
            return self.send_text(302, "moved\n", [("Location", "/redirect/" + p[len("/redirect2/"):])])
        if p.startswith("/loop/"):
            return self.send_text(302, "loop\n", [("Location", p)])
        if p.startswith("/status/"):
            code = int(p.split("/")[2])
            return self.send_text(code, f"status {code} body\n")
        if p.startswith("/flaky/"):
            _, _, n, key, rest = p.split("/", 4)
            with lock:
                counts[key] = counts.get(key, 0) + 1
                c = counts[key]
            if c <= int(n):
                return self.send_text(503, "try again\n")
            self.path = "/" + rest
        if p.startswith("/auth/"):
            want = "Basic " + base64.b64encode(b"nixpp:secret").decode()
            if self.headers.get("Authorization") != want:
                return self.send_text(401, "who are you?\n", [("WWW-Authenticate", 'Basic realm="test"')])
            self.path = "/" + p[len("/auth/"):]
        if p.startswith("/stall/"):
            path = os.path.join(root, p[len("/stall/"):])
            size = os.path.getsize(path)
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            with open(path, "rb") as f:
                self.wfile.write(f.read(1))
            self.wfile.flush()
            time.sleep(60)
            return
        local = self.translate_path(self.path)
        if os.path.isfile(local):
            with open(local, "rb") as f:
                self.etag = '"' + hashlib.sha256(f.read()).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == self.etag:
                with lock, open(logfile, "a") as f:
                    f.write(f"304 {self.path}\n")
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        return super().do_GET() if self.command == "GET" else super().do_HEAD()

    def end_headers(self):
        if getattr(self, "etag", None):
            self.send_header("ETag", self.etag)
        super().end_headers()

    def do_GET(self):
        self.route()

    def do_HEAD(self):
        self.route()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def watch_parent(ppid=os.getppid()):
    while os.getppid() == ppid:
        time.sleep(1)
    os._exit(0)


threading.Thread(target=watch_parent, daemon=True).start()
httpd = Server(("127.0.0.1", 0), Handler)
if tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tls[0], tls[1])
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
tmp = portfile + ".tmp"
with open(tmp, "w") as f:
    f.write(str(httpd.server_address[1]))
os.rename(tmp, portfile)
httpd.serve_forever()
