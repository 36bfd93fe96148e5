"""boto3 clients pointed at a test server, set up once for every e2e suite that uses them."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import ServerTestCase  # noqa: E402

try:
    import boto3
    from botocore.config import Config
    BOTO3_ERROR = None
except ImportError as e:  # reported as the skip reason
    BOTO3_ERROR = e


def require_boto3() -> None:
    """Skips the calling test class when boto3 cannot be imported here."""
    if BOTO3_ERROR is not None:
        raise unittest.SkipTest(f"boto3 is not importable here: {BOTO3_ERROR}")


def client(service: str, endpoint_url: str, *, read_timeout: int = 30,
           access_key: str = "x", secret_key: str = "x", **config):
    """A `service` client for `endpoint_url`: one attempt per call (a retry would hide lambdad's
    answer), us-east-1, any credentials unless the server checks them."""
    session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                    region_name="us-east-1")
    return session.client(service, endpoint_url=endpoint_url, config=Config(
        retries={"max_attempts": 1}, read_timeout=read_timeout, connect_timeout=5, **config))


class Boto3TestCase(ServerTestCase):
    """A ServerTestCase with `self.lam`, a boto3 Lambda client for its server (the class is
    skipped without boto3)."""

    @classmethod
    def setUpClass(cls):
        require_boto3()
        super().setUpClass()

    def setUp(self):
        super().setUp()
        self.lam = client("lambda", self.server.lambda_url, read_timeout=60)
