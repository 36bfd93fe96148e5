"""The AWS CLI v2 pointed at a test server, set up one way for every e2e file that drives it."""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import ServerTestCase  # noqa: E402
from test_awscli import AWS, aws_env  # noqa: E402


class AwsCliTestCase(ServerTestCase):
    """A ServerTestCase driving Debian's AWS CLI v2 (the class is skipped without it), with a
    scratch folder `tmp` for its files. `cli_prefix` goes before every aws() call's arguments
    (e.g. ("lambda",))."""

    cli_prefix: tuple = ()

    @classmethod
    def setUpClass(cls):
        if not os.access(AWS, os.X_OK):
            raise unittest.SkipTest(f"{AWS} (Debian's awscli package) is not installed")
        cls.tmp = tempfile.TemporaryDirectory(prefix=f"lambdad-{cls.__name__}-")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.tmp.cleanup()

    def aws(self, *args, ok=True):
        """Runs `aws --output json …` against the server: its JSON answer (None when it prints
        nothing); with ok=False, asserts it fails and returns its stderr."""
        proc = subprocess.run([AWS, "--endpoint-url", self.server.lambda_url, "--region",
                               "us-east-1", "--output", "json", *self.cli_prefix, *args],
                              capture_output=True, text=True, env=aws_env(), timeout=120)
        if not ok:
            self.assertNotEqual(proc.returncode, 0, proc)
            return proc.stderr
        self.assertEqual(proc.returncode, 0, proc)
        return json.loads(proc.stdout) if proc.stdout.strip() else None
