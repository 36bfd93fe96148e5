"""JWT authorizers of HTTP APIs through real HTTP: an `AWS::Serverless::HttpApi` `Auth` with
JWT authorizers whose keys come from an OIDC issuer served here over HTTP (discovery, then
jwks_uri; key rotation), over HTTPS (a CA made here, trusted through SSL_CERT_FILE), from a JWKS
file (`--jwks ISSUER=FILE`, and a `file://` issuer); RS256/RS384/RS512 and HS256 tokens made
here; the claims and scopes the function sees (payload 2.0 and 1.0); every refusal in API
Gateway's shape (401 with `www-authenticate`, 403 for scopes) without the function running; and a
gateway that keeps serving after garbage."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import ssl
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from harness import bash_function, wait_until
from test_gateway import ECHO_V1, GatewayServer, http_event, ref

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID
except ImportError:  # pragma: no cover
    x509 = None

AUDIENCE = "my-app"
SECRET = b"a-shared-secret-for-hs256-tokens"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_int(n: int) -> str:
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def rsa_jwk(key, kid: str) -> dict:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256" if kid != "multi" else None,
            "n": b64url_int(numbers.n), "e": b64url_int(numbers.e)}


def jwks(*keys: dict) -> dict:
    return {"keys": [{k: v for k, v in key.items() if v is not None} for key in keys]}


def make_token(claims: dict, *, key=None, kid: str = "k1", alg: str = "RS256",
               secret: bytes = SECRET, header: dict | None = None) -> str:
    head = header if header is not None else {"alg": alg, "kid": kid, "typ": "JWT"}
    signing_input = f"{b64url(json.dumps(head).encode())}.{b64url(json.dumps(claims).encode())}"
    digest = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
    if alg.startswith("RS"):
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), digest[alg[2:]]())
    elif alg.startswith("HS"):
        signature = hmac.new(secret, signing_input.encode(),
                             getattr(hashlib, "sha" + alg[2:])).digest()
    else:
        signature = b""
    return f"{signing_input}.{b64url(signature)}"


class Issuer:
    """An OIDC issuer over HTTP(S): discovery document and JWKS, with a count of fetches."""

    def __init__(self, keys: dict, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"):
        self.keys = keys
        self.discoveries = 0
        self.jwks_fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                if self.path == "/.well-known/openid-configuration":
                    issuer.discoveries += 1
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks.json"}
                elif self.path == "/jwks.json":
                    issuer.jwks_fetches += 1
                    body = issuer.keys
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def make_ca_and_cert(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A CA and a certificate for localhost signed by it; the CA file and a server context."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lambdad test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return ca_file, context


@unittest.skipIf(x509 is None, "the cryptography package is not installed")
class GatewayJwtTest(GatewayServer):
    @classmethod
    def _start_server(cls) -> None:
        cls.folder = Path(tempfile.mkdtemp(prefix="lambdad-jwt-"))
        cls.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.file_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        oct_key = {"kty": "oct", "kid": "h1", "k": b64url(SECRET), "alg": "HS256"}
        cls.remote = Issuer(jwks(rsa_jwk(cls.key, "k1"), rsa_jwk(cls.key, "multi"), oct_key))
        ca_file, tls = make_ca_and_cert(cls.folder)
        cls.tls_issuer = Issuer(jwks(rsa_jwk(cls.key, "k1")), tls=tls, host="localhost")
        (cls.folder / "local.json").write_text(json.dumps(jwks(rsa_jwk(cls.file_key, "f1"))))
        (cls.folder / "issuer.json").write_text(json.dumps(jwks(rsa_jwk(cls.file_key, "f1"))))
        cls.local_issuer = "https://local.example.com/oauth"
        cls.file_issuer = f"file://{cls.folder}/issuer.json"
        cls.server_args = ["--jwks", f"{cls.local_issuer}={cls.folder}/local.json"]
        cls.server_env = {"SSL_CERT_FILE": str(ca_file)}

        def jwt(issuer: str, **extra) -> dict:
            return {"JwtConfiguration": {"issuer": issuer, "audience": [AUDIENCE, "other"]},
                    "IdentitySource": "$request.header.Authorization", **extra}

        cls.apis = {"JwtApi": {"Type": "AWS::Serverless::HttpApi", "Properties": {
            "Auth": {
                "DefaultAuthorizer": "Remote",
                "Authorizers": {
                    "Remote": jwt(cls.remote.url),
                    "Scoped": jwt(cls.remote.url, AuthorizationScopes=["read"]),
                    "Query": {**jwt(cls.remote.url),
                              "IdentitySource": "$request.querystring.access_token"},
                    "Local": jwt(cls.local_issuer),
                    "FileIssuer": jwt(cls.file_issuer),
                    "Tls": jwt(cls.tls_issuer.url),
                    "Down": jwt("http://127.0.0.1:1"),
                }}}}}
        super()._start_server()

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            super().tearDownClass()
        finally:
            cls.remote.close()
            cls.tls_issuer.close()

    @classmethod
    def functions(cls):
        api = ref("JwtApi")

        def route(path: str, **props):
            return http_event(path, "GET", ApiId=api, **props)

        return [
            bash_function("Echo", "", Events={
                "Default": route("/jwt/default"),
                "Open": route("/jwt/open", Auth={"Authorizer": "NONE"}),
                "Scopes": route("/jwt/scopes", Auth={"AuthorizationScopes": ["admin", "write"]}),
                "ScopedAuthorizer": route("/jwt/scoped", Auth={"Authorizer": "Scoped"}),
                "Query": route("/jwt/query", Auth={"Authorizer": "Query"}),
                "Local": route("/jwt/local", Auth={"Authorizer": "Local"}),
                "File": route("/jwt/file", Auth={"Authorizer": "FileIssuer"}),
                "Tls": route("/jwt/tls", Auth={"Authorizer": "Tls"}),
                "Down": route("/jwt/down", Auth={"Authorizer": "Down"}),
            }),
            # Payload 1.0 replies need the 1.0 response shape.
            bash_function("EchoV1", ECHO_V1, Events={
                "V1": route("/jwt/v1", PayloadFormatVersion="1.0"),
                "Rest": {"Type": "Api", "Properties": {"Path": "/rest/open", "Method": "GET"}}}),
        ]

    # -- helpers ------------------------------------------------------------------------------

    def claims(self, issuer: str | None = None, **extra) -> dict:
        now = int(time.time())
        c = {"iss": issuer or self.remote.url, "aud": AUDIENCE, "sub": "user-1",
             "iat": now - 5, "exp": now + 300, "scope": "read write",
             "cognito:groups": ["admins", "users"], "email_verified": True, "level": 3}
        c.update(extra)
        return {k: v for k, v in c.items() if v is not None}

    def call(self, path: str, token: str | None = None, scheme: str = "Bearer ", **headers):
        if token is not None:
            headers["Authorization"] = scheme + token
        return self.gw("GET", path, headers=headers)

    def assert_unauthorized(self, r, description: str | None):
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.body.decode(), '{"message":"Unauthorized"}', r)
        self.assertEqual(r.header("Content-Type"), "application/json", r)
        self.assertTrue(r.header("apigw-requestid"), r)
        if description is None:
            self.assertIsNone(r.header("www-authenticate"), r)
        else:
            self.assertEqual(r.header("www-authenticate"),
                             f'Bearer scope="" error="invalid_token" '
                             f'error_description="{description}"', r)
            self.assertIn("www-authenticate", r.headers.keys())  # lower-case, as AWS sends it

    # -- what the function sees ---------------------------------------------------------------

    def test_valid_token_reaches_the_function_with_its_claims(self):
        sent = self.claims()
        token = make_token(sent, key=self.key)
        r = self.call("/jwt/default", token)
        self.assertEqual(r.status, 200, r)
        authorizer = r.json()["requestContext"]["authorizer"]
        claims = authorizer["jwt"]["claims"]
        self.assertEqual(claims["sub"], "user-1")
        self.assertEqual(claims["aud"], AUDIENCE)
        self.assertEqual(claims["exp"], str(sent["exp"]))  # numbers as text
        self.assertEqual(claims["cognito:groups"], "[admins users]")
        self.assertEqual(claims["email_verified"], "true")
        self.assertEqual(claims["scope"], "read write")
        self.assertIsNone(authorizer["jwt"]["scopes"])  # the route asks for no scopes
        # The bare token (no Bearer) is accepted too, as by API Gateway.
        self.assertEqual(self.call("/jwt/default", token, scheme="").status, 200)

    def test_payload_1_0_carries_claims_and_scopes(self):
        r = self.call("/jwt/v1", make_token(self.claims(), key=self.key))
        self.assertEqual(r.status, 200, r)
        event = r.json()
        self.assertEqual(event["version"], "1.0")
        authorizer = event["requestContext"]["authorizer"]
        self.assertEqual(authorizer["claims"]["sub"], "user-1")
        self.assertIsNone(authorizer["scopes"])

    def test_rsa_algorithms_and_hs256(self):
        for alg in ("RS256", "RS384", "RS512"):
            token = make_token(self.claims(), key=self.key, kid="multi", alg=alg)
            self.assertEqual(self.call("/jwt/default", token).status, 200, alg)
        # k1 pins RS256 in the JWKS: an RS512 token under it finds no key.
        self.assert_unauthorized(
            self.call("/jwt/default", make_token(self.claims(), key=self.key, alg="RS512")),
            "the token's key id does not match a key of the issuer")
        self.assertEqual(self.call("/jwt/default",
                                   make_token(self.claims(), kid="h1", alg="HS256")).status, 200)
        self.assert_unauthorized(
            self.call("/jwt/default", make_token(self.claims(), kid="h1", alg="HS256",
                                                 secret=b"wrong")),
            "the token's signature is invalid")

    def test_open_route_and_rest_routes_need_no_token(self):
        r = self.call("/jwt/open")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("authorizer", r.json()["requestContext"])
        self.assertEqual(self.gw("GET", "/rest/open").status, 200)

    # -- refusals -----------------------------------------------------------------------------

    def test_missing_token_is_401_without_invoking(self):
        time.sleep(0.5)  # earlier tests' invocations are written in batches
        before = self.server.sql("SELECT COUNT(*) AS n FROM invocations")[0]["n"]
        self.assert_unauthorized(self.call("/jwt/default"), None)
        self.assert_unauthorized(self.call("/jwt/default", ""), None)
        self.assert_unauthorized(self.call("/jwt/default", "", scheme="Bearer "), None)
        time.sleep(0.3)  # the store batches its writes
        self.assertEqual(self.server.sql("SELECT COUNT(*) AS n FROM invocations")[0]["n"], before)

    def test_claim_failures_in_aws_wording(self):
        now = int(time.time())
        cases = [
            (self.claims(aud="someone-else"), "the token does not have a valid audience"),
            (self.claims(aud=None, client_id=AUDIENCE), None),  # client_id stands in for aud
            (self.claims(aud=None), "the token does not have a valid audience"),
            (self.claims(iss="https://evil.example.com"), "the token does not have a valid issuer"),
            (self.claims(exp=now - 1), "the token has expired"),
            (self.claims(exp=None), "the token does not have an expiration time"),
            (self.claims(nbf=now + 60), "the token is not valid yet"),
            (self.claims(iat=now + 60), "the token was issued in the future"),
        ]
        for claims, description in cases:
            r = self.call("/jwt/default", make_token(claims, key=self.key))
            if description is None:
                self.assertEqual(r.status, 200, r)
            else:
                self.assert_unauthorized(r, description)

    def test_forged_and_malformed_tokens(self):
        good = make_token(self.claims(), key=self.key)
        head, body, sig = good.split(".")
        forged_body = b64url(json.dumps(self.claims(sub="admin")).encode())
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cases = [
            (f"{head}.{forged_body}.{sig}", "the token's signature is invalid"),
            (make_token(self.claims(), key=other), "the token's signature is invalid"),
            (make_token(self.claims(), alg="none"), "the token's signing algorithm is not supported"),
            (make_token(self.claims(), alg="none", header={"alg": "none"}) + "c2ln",
             "the token's signing algorithm is not supported"),
            (make_token(self.claims(), key=self.key, kid="unknown"),
             "the token's key id does not match a key of the issuer"),
            # HS256 "signed" with the RSA key's public modulus under the RSA kid.
            (make_token(self.claims(), kid="k1", alg="HS256",
                        secret=self.key.public_key().public_numbers().n.to_bytes(256, "big")),
             "the token's key id does not match a key of the issuer"),
            ("not-a-jwt", "the token is not a valid JWT"),
            (f"{head}.{body}", "the token is not a valid JWT"),
            (f"{head}.!!!!.{sig}", "the token is not a valid JWT"),
            (f"{b64url(b'{not json')}.{body}.{sig}", "the token is not a valid JWT"),
            (f"{head}.{b64url(b'[1,2,3]')}.{sig}", "the token is not a valid JWT"),
        ]
        for token, description in cases:
            self.assert_unauthorized(self.call("/jwt/default", token), description)

    def test_scopes(self):
        # Route scopes: any one of admin / write.
        r = self.call("/jwt/scopes", make_token(self.claims(), key=self.key))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["requestContext"]["authorizer"]["jwt"]["scopes"],
                         ["read", "write"])
        r = self.call("/jwt/scopes", make_token(self.claims(scope="read"), key=self.key))
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.body.decode(), '{"message":"Forbidden"}')
        self.assertEqual(r.header("www-authenticate"),
                         'Bearer scope="admin write" error="insufficient_scope" '
                         'error_description="expected scopes: [admin write]"')
        # `scp` (a list) counts as well as `scope`.
        r = self.call("/jwt/scopes", make_token(self.claims(scope=None, scp=["admin"]),
                                                key=self.key))
        self.assertEqual(r.status, 200, r)
        # The authorizer's own AuthorizationScopes for routes that name none.
        self.assertEqual(self.call("/jwt/scoped", make_token(self.claims(), key=self.key)).status,
                         200)
        self.assertEqual(self.call("/jwt/scoped", make_token(self.claims(scope="write"),
                                                             key=self.key)).status, 403)

    # -- identity sources and key sources -----------------------------------------------------

    def test_query_string_identity_source(self):
        token = make_token(self.claims(), key=self.key)
        self.assertEqual(self.gw("GET", f"/jwt/query?access_token={token}").status, 200)
        self.assert_unauthorized(self.call("/jwt/query", token), None)  # the header is not used

    def test_jwks_file_from_flag_and_file_issuer(self):
        token = make_token(self.claims(issuer=self.local_issuer), key=self.file_key, kid="f1")
        self.assertEqual(self.call("/jwt/local", token).status, 200)
        token = make_token(self.claims(issuer=self.file_issuer), key=self.file_key, kid="f1")
        self.assertEqual(self.call("/jwt/file", token).status, 200)
        # The remote issuer's key does not open the file issuer's route.
        self.assert_unauthorized(
            self.call("/jwt/file", make_token(self.claims(issuer=self.file_issuer), key=self.key,
                                              kid="f1")),
            "the token's signature is invalid")

    def test_https_issuer_with_a_private_ca(self):
        token = make_token(self.claims(issuer=self.tls_issuer.url), key=self.key)
        r = self.call("/jwt/tls", token)
        self.assertEqual(r.status, 200, r)
        self.assertGreaterEqual(self.tls_issuer.discoveries, 1)

    def test_unreachable_issuer(self):
        token = make_token(self.claims(issuer="http://127.0.0.1:1"), key=self.key)
        self.assert_unauthorized(self.call("/jwt/down", token),
                                 "the issuer's keys could not be fetched")
        wait_until(lambda: "cannot get the signing keys of JWT issuer http://127.0.0.1:1"
                   in self.server.stderr(), 5)
        self.assertEqual(self.call("/jwt/open").status, 200)

    def test_key_rotation_refetches_at_most_every_five_seconds(self):
        self.assertEqual(self.call("/jwt/default", make_token(self.claims(), key=self.key)).status,
                         200)
        fetches = self.remote.jwks_fetches
        self.remote.keys = jwks(rsa_jwk(self.key, "k1"), rsa_jwk(self.key, "multi"),
                                rsa_jwk(self.rotated, "k2"),
                                {"kty": "oct", "kid": "h1", "k": b64url(SECRET), "alg": "HS256"})
        rotated = make_token(self.claims(), key=self.rotated, kid="k2")
        deadline = time.time() + 8
        statuses = []
        while time.time() < deadline:
            status = self.call("/jwt/default", rotated).status
            statuses.append(status)
            if status == 200:
                break
            # Garbage kids do not cause more fetches than the rate limit allows.
            self.call("/jwt/default", make_token(self.claims(), key=self.key, kid="junk"))
            time.sleep(0.25)
        self.assertEqual(statuses[-1], 200, statuses)
        self.assertLessEqual(self.remote.jwks_fetches - fetches, 2)

    def test_gateway_keeps_serving_after_garbage(self):
        deep = b64url(b'{"a":' + b"[" * 3000 + b"]" * 3000 + b"}")
        head = b64url(b'{"alg":"RS256","kid":"k1"}')
        for value in ("Bearer", "Bearer " + "A" * 5000, "Bearer a.b.c", "Basic dXNlcjpwdw==",
                      "Bearer ..", "Bearer \u00e9t\u00e9".encode().decode("latin-1"),
                      f"Bearer {head}.{deep}.c2ln"):
            self.assertEqual(self.gw("GET", "/jwt/default", headers={"Authorization": value}).status,
                             401, value)
        self.assertEqual(self.call("/jwt/default", make_token(self.claims(), key=self.key)).status,
                         200)


if __name__ == "__main__":
    unittest.main()
