"""The Runtime API 2018-06-01 client: one keep-alive HTTP/1.1 connection to lambdad.

Written on the C `_socket` module rather than `http.client`: `http.client` imports `email`,
`ssl` and `urllib` (~19 ms on a Python that starts in ~11 ms), `socket.py` adds `enum` and
`selectors` (~2 ms); `_socket` is already built in. The server side is known (lambdad, or AWS's
endpoint), so the subset here suffices: requests with Content-Length, replies with
Content-Length, chunked encoding or connection close.

A request on a kept-alive connection that the server had closed is sent once more on a new one.
"""

import os
import sys

try:
    import _socket as _net
except ImportError:  # pragma: no cover - CPython always has it
    import socket as _net

API_VERSION = "2018-06-01"
_USER_AGENT = "lambdad-python/%d.%d.%d" % sys.version_info[:3]
_BIG_BODY = 64 * 1024  # larger bodies are sent after the header instead of joined to it


class ApiError(Exception):
    """The Runtime API answered with an unexpected status."""

    def __init__(self, endpoint, status, body):
        self.endpoint = endpoint
        self.status = status
        self.body = body
        text = bytes(body[:500]).decode("utf-8", "replace")
        super().__init__(f"Request to Lambda Runtime '{endpoint}' endpoint failed. "
                         f"Reason: '{status}'. Response body: '{text}'")


class _Closed(ConnectionError):
    """The server closed the connection; `empty`: before sending any byte of its answer."""

    def __init__(self, empty):
        super().__init__("connection closed by the Runtime API")
        self.empty = empty


class Invocation:
    __slots__ = ("request_id", "deadline_ms", "invoked_function_arn", "trace_id",
                 "client_context", "cognito_identity", "tenant_id", "content_type", "body")

    def __init__(self, headers, body):
        get = headers.get
        self.request_id = get("lambda-runtime-aws-request-id")
        deadline = get("lambda-runtime-deadline-ms")
        try:
            self.deadline_ms = int(deadline)
        except (TypeError, ValueError):
            self.deadline_ms = 0
        self.invoked_function_arn = get("lambda-runtime-invoked-function-arn")
        self.trace_id = get("lambda-runtime-trace-id") or None
        self.client_context = get("lambda-runtime-client-context") or None
        self.cognito_identity = get("lambda-runtime-cognito-identity") or None
        self.tenant_id = get("lambda-runtime-aws-tenant-id") or None
        self.content_type = get("content-type") or None
        self.body = body


def _header_value(value):
    """A header value on one line (an error type comes from user code)."""
    value = str(value)
    if "\r" in value or "\n" in value:
        value = value.replace("\r", " ").replace("\n", " ")
    return value


class RuntimeApi:
    def __init__(self, address):
        host, sep, port = address.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"AWS_LAMBDA_RUNTIME_API is not host:port: {address!r}")
        self.address = address
        self._host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        self._port = int(port)
        self._sock = None
        self._buffer = b""
        self._base = f"/{API_VERSION}/runtime"

    # ---- the four calls -------------------------------------------------------------------------

    def next(self):
        """Blocks until lambdad has an invocation (never times out: the sandbox may be frozen)."""
        endpoint = self._base + "/invocation/next"
        status, headers, body = self._request("GET", endpoint)
        if status != 200:
            raise ApiError(endpoint, status, body)
        return Invocation(headers, body)

    def post_response(self, request_id, payload, content_type="application/json"):
        endpoint = f"{self._base}/invocation/{request_id}/response"
        return self._post(endpoint, payload, content_type)

    def post_error(self, request_id, body, error_type):
        endpoint = f"{self._base}/invocation/{request_id}/error"
        return self._post(endpoint, body, "application/json", error_type)

    def post_init_error(self, body, error_type):
        return self._post(self._base + "/init/error", body, "application/json", error_type)

    def _post(self, endpoint, body, content_type, error_type=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        extra = f"Content-Type: {_header_value(content_type)}\r\n"
        if error_type is not None:
            extra += f"Lambda-Runtime-Function-Error-Type: {_header_value(error_type)}\r\n"
        status, _, answer = self._request("POST", endpoint, body, extra)
        if not 200 <= status < 300:
            raise ApiError(endpoint, status, answer)
        return status

    def close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._buffer = b""

    # ---- HTTP -----------------------------------------------------------------------------------

    def _connect(self):
        error = None
        try:  # an ASCII name as bytes: a str would import the idna codec (and `re`), ~3 ms
            host = self._host.encode("ascii")
        except UnicodeEncodeError:
            host = self._host
        for family, kind, proto, _, address in _net.getaddrinfo(host, self._port, 0,
                                                                _net.SOCK_STREAM):
            sock = _net.socket(family, kind, proto)
            try:
                sock.setsockopt(_net.IPPROTO_TCP, _net.TCP_NODELAY, 1)
                sock.connect(address)
            except OSError as e:
                sock.close()
                error = e
                continue
            self._sock = sock
            self._buffer = b""
            return
        raise error or OSError(f"cannot resolve {self._host}")

    def _request(self, method, target, body=None, extra_headers=""):
        head = (f"{method} {target} HTTP/1.1\r\nHost: {self.address}\r\n"
                f"User-Agent: {_USER_AGENT}\r\n")
        if body is not None:
            head += f"Content-Length: {len(body)}\r\n"
        data = (head + extra_headers + "\r\n").encode("utf-8")
        if body is not None and len(body) <= _BIG_BODY:
            data += body
            body = None
        for attempt in (0, 1):
            reused = self._sock is not None
            if not reused:
                self._connect()
            try:
                try:
                    self._sock.sendall(data)
                    if body is not None:
                        self._sock.sendall(body)
                except OSError:
                    # The server may have answered early (413 on an oversized body) and closed:
                    # its answer can still be waiting to be read.
                    pass
                return self._read_response(method)
            except (OSError, ValueError) as e:
                self.close()
                stale = isinstance(e, _Closed) and e.empty or isinstance(e, ConnectionResetError)
                if attempt or not reused or not stale:
                    raise
        raise AssertionError("unreachable")

    def _fill(self, buffer, empty_ok):
        chunk = self._sock.recv(65536)
        if not chunk:
            raise _Closed(empty_ok and not buffer)
        return buffer + chunk

    def _read_response(self, method):
        buffer = self._buffer
        end = buffer.find(b"\r\n\r\n")
        while end < 0:
            buffer = self._fill(buffer, True)
            end = buffer.find(b"\r\n\r\n", max(0, len(buffer) - 65536 - 3))
        lines = buffer[:end].decode("utf-8", "replace").split("\r\n")
        rest = buffer[end + 4:]
        version, _, status_text = lines[0].partition(" ")
        status = int(status_text.split(" ", 1)[0])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        keep_alive = version != "HTTP/1.0"
        connection = headers.get("connection", "").lower()
        if "close" in connection:
            keep_alive = False
        elif "keep-alive" in connection:
            keep_alive = True

        length = headers.get("content-length")
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body, rest = b"", rest
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body, rest = self._read_chunked(rest)
        elif length is not None:
            body, rest = self._read_exactly(rest, int(length))
        else:
            body, rest = self._read_to_close(rest)
            keep_alive = False
        if keep_alive:
            self._buffer = rest
        else:
            self.close()
        return status, headers, body

    def _read_exactly(self, have, length):
        """(body, what follows it): the body as bytes, or a bytearray when read in pieces."""
        if len(have) >= length:
            return have[:length], have[length:]
        body = bytearray(length)
        body[:len(have)] = have
        view = memoryview(body)
        got = len(have)
        recv_into = self._sock.recv_into
        while got < length:
            n = recv_into(view[got:], min(length - got, 1 << 20))
            if not n:
                raise _Closed(False)
            got += n
        view.release()
        return body, b""

    def _read_chunked(self, buffer):
        parts = []
        while True:
            end = buffer.find(b"\r\n")
            while end < 0:
                buffer = self._fill(buffer, False)
                end = buffer.find(b"\r\n")
            size = int(buffer[:end].split(b";", 1)[0].strip(), 16)
            buffer = buffer[end + 2:]
            if size == 0:
                # trailers, then an empty line
                while True:
                    end = buffer.find(b"\r\n")
                    while end < 0:
                        buffer = self._fill(buffer, False)
                        end = buffer.find(b"\r\n")
                    line, buffer = buffer[:end], buffer[end + 2:]
                    if not line:
                        return b"".join(parts), buffer
            while len(buffer) < size + 2:
                buffer = self._fill(buffer, False)
            parts.append(buffer[:size])
            buffer = buffer[size + 2:]

    def _read_to_close(self, buffer):
        parts = [buffer]
        while True:
            chunk = self._sock.recv(65536)
            if not chunk:
                return b"".join(parts), b""
            parts.append(chunk)


def from_environment():
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        raise ValueError("AWS_LAMBDA_RUNTIME_API is not set")
    return RuntimeApi(address)
