"""Private git forges for the tests, serving the repositories under a folder:

- over HTTP: git's smart HTTP protocol (`git http-backend`, the CGI program git ships for
  this) behind a local server that demands basic auth, as GitHub, GitLab or Gitea do;
- over SSH: a paramiko server that accepts one public key and runs `git-upload-pack`, as
  a forge does for a deploy key.
"""

import base64
import shlex
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import paramiko


class PrivateGitServer:
    def __init__(self, root: Path, username: str, token: str):
        self.root = root
        self.expected = "Basic " + base64.b64encode(f"{username}:{token}".encode()).decode()
        self.refused = 0  # requests that came without the right Authorization header
        self.served = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, repository: str) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/{repository}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        forge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                self._serve()

            def do_POST(self):
                self._serve()

            def _serve(self):
                if self.headers.get("Authorization") != forge.expected:
                    forge.refused += 1
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="private"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                forge.served += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urlsplit(self.path)
                environment = {
                    "PATH": "/usr/bin:/bin",
                    "GIT_PROJECT_ROOT": str(forge.root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "GIT_CONFIG_NOSYSTEM": "1",
                    "REQUEST_METHOD": self.command,
                    "PATH_INFO": url.path,
                    "QUERY_STRING": url.query,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(body)),
                    "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                    "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                    "REMOTE_USER": "reader",
                    "REMOTE_ADDR": "127.0.0.1",
                }
                output = subprocess.run(
                    ["git", "http-backend"], input=body, env=environment, capture_output=True
                ).stdout
                head, _, payload = output.partition(b"\r\n\r\n")
                headers = [line.split(": ", 1) for line in head.decode().split("\r\n") if line]
                status = next((int(value[:3]) for name, value in headers if name == "Status"), 200)
                self.send_response(status)
                for name, value in headers:
                    if name != "Status":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


def ssh_keypair(folder: Path, name: str) -> tuple[str, str]:
    """(private key in OpenSSH format, public key line), made by ssh-keygen."""
    path = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True
    )
    return path.read_text(), path.with_suffix(".pub").read_text().strip()


class PrivateSshGitServer:
    def __init__(self, root: Path, keys: Path, authorized_public_key: str):
        self.root = root
        self.authorized = authorized_public_key.split()[1]
        self.refused = 0
        self.served = 0
        _, host_public = ssh_keypair(keys, "host_key")
        self.host_key = paramiko.Ed25519Key(filename=str(keys / "host_key"))
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        # As ssh-keyscan prints it, for a non-default port.
        self.known_hosts = f"[127.0.0.1]:{self.port} {' '.join(host_public.split()[:2])}\n"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def url(self, repository: str) -> str:
        return f"ssh://git@127.0.0.1:{self.port}/{repository}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._socket.close()

    def _accept(self):
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._session, args=(connection,), daemon=True).start()

    def _session(self, connection):
        transport = paramiko.Transport(connection)
        transport.add_server_key(self.host_key)
        interface = _Interface(self)
        try:
            transport.start_server(server=interface)
            channel = transport.accept(10)
            if channel is None or not interface.command.wait(10):
                return
            self._run(channel, interface.argv)
        except (paramiko.SSHException, EOFError, OSError):
            pass
        finally:
            transport.close()

    def _run(self, channel, argv):
        program, path = argv
        repository = (self.root / path.lstrip("/")).resolve()
        if program != "git-upload-pack" or not repository.is_relative_to(self.root.resolve()):
            channel.send_exit_status(128)
            return
        self.served += 1
        process = subprocess.Popen(
            [program, str(repository)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

        def to_client():
            while chunk := process.stdout.read1(65536):
                channel.sendall(chunk)

        sender = threading.Thread(target=to_client, daemon=True)
        sender.start()
        while chunk := channel.recv(65536):
            try:
                process.stdin.write(chunk)
                process.stdin.flush()
            except BrokenPipeError:
                break
        process.stdin.close()
        sender.join()
        channel.send_exit_status(process.wait())
        channel.close()


class _Interface(paramiko.ServerInterface):
    def __init__(self, server: PrivateSshGitServer):
        self.server = server
        self.command = threading.Event()
        self.argv: list[str] = []

    def get_allowed_auths(self, username):
        return "publickey"

    def check_auth_publickey(self, username, key):
        if key.get_base64() == self.server.authorized:
            return paramiko.AUTH_SUCCESSFUL
        self.server.refused += 1
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_env_request(self, channel, name, value):
        return False  # no GIT_PROTOCOL=version=2: upload-pack speaks protocol 0 here

    def check_channel_exec_request(self, channel, command):
        self.argv = shlex.split(command.decode())
        self.command.set()
        return len(self.argv) == 2
