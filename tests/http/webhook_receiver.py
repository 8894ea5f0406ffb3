#!/usr/bin/env python3
"""A webhook receiver for the notifications test: listens on 127.0.0.1 (a free port, written to
PORT_FILE), answers the first FAIL_FIRST POSTs with 500 and the others with 200, and appends one JSON
line per POST to LOG: the status it answered, the Idempotency-Key and Authorization headers, the body."""
import http.server
import json
import sys

port_file, log_path, fail_first = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        seen += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        status = 500 if seen <= fail_first else 200
        with open(log_path, "a") as f:
            f.write(json.dumps({"status": status, "path": self.path, "idempotency_key": self.headers.get("Idempotency-Key"),
                                "authorization": self.headers.get("Authorization"),
                                "content_type": self.headers.get("Content-Type"), "body": json.loads(body)}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
