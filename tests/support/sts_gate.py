"""An STS endpoint in front of an emulator that refuses AssumeRole into the roles it is told
to deny, as AWS does when a role's trust policy does not name the caller; every other
request is forwarded to the emulator unchanged.

    python3 sts_gate.py --upstream http://127.0.0.1:4566 --port 4599 --deny arn:aws:iam::333333333333:role/x
"""

import argparse
import http.server
import urllib.error
import urllib.parse
import urllib.request

DENIED = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::000000000000:user/test is not authorized to perform: sts:AssumeRole on resource: {role}</Message></Error>
  <RequestId>00000000-0000-0000-0000-000000000000</RequestId>
</ErrorResponse>"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--deny", action="append", default=[])
    args = parser.parse_args()

    class Gate(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            role = (form.get("RoleArn") or [""])[0]
            if (form.get("Action") or [""])[0] == "AssumeRole" and role in args.deny:
                answer = DENIED.format(role=role).encode()
                self.send_response(403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            request = urllib.request.Request(args.upstream + self.path, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, reply, kind = response.status, response.read(), response.headers.get("Content-Type")
            except urllib.error.HTTPError as e:
                status, reply, kind = e.code, e.read(), e.headers.get("Content-Type")
            self.send_response(status)
            self.send_header("Content-Type", kind or "text/xml")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Gate).serve_forever()


if __name__ == "__main__":
    main()
