"""The `context` argument of a handler, with the attributes and methods of AWS's LambdaContext.

As on AWS: `memory_limit_in_mb` is the environment's string, `client_context` is None unless the
caller sent one, `identity` is always there (its fields None without a Cognito identity).
"""

import os
import sys
import time


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, fields=None):
        fields = fields or {}
        self.cognito_identity_id = fields.get("cognitoIdentityId")
        self.cognito_identity_pool_id = fields.get("cognitoIdentityPoolId")

    def __repr__(self):
        return (f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
                f"cognito_identity_pool_id={self.cognito_identity_pool_id}])")


class Client:
    """The mobile client of a client context (AWS Mobile SDK field names)."""

    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code",
                 "app_package_name")

    def __init__(self, fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    def __repr__(self):
        return "Client([" + ",".join(f"{n}={getattr(self, n)}" for n in self.__slots__) + "])"


class ClientContext:
    __slots__ = ("custom", "env", "client")

    def __init__(self, fields):
        self.custom = fields.get("custom")
        self.env = fields.get("env")
        client = fields.get("client")
        self.client = Client(client) if client is not None else None

    def __repr__(self):
        return f"ClientContext([custom={self.custom},env={self.env},client={self.client}])"


def _parse_header(text, name):
    from .jsoncodec import from_json
    try:
        return from_json(text)
    except Exception as e:
        from .fault import LAMBDA_CONTEXT_UNMARSHAL_ERROR, Fault
        raise Fault(LAMBDA_CONTEXT_UNMARSHAL_ERROR, f"Unable to parse {name} JSON: {e}") from None


class LambdaContext:
    def __init__(self, invoke_id, client_context, cognito_identity, epoch_deadline_time_in_ms,
                 invoked_function_arn=None, tenant_id=None):
        """client_context / cognito_identity: the JSON texts of their headers, or None."""
        environ = os.environ
        self.aws_request_id = invoke_id
        self.log_group_name = environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = None
        if client_context:
            self.client_context = ClientContext(_parse_header(client_context, "Client Context"))
        self.identity = CognitoIdentity(
            _parse_header(cognito_identity, "Cognito Identity") if cognito_identity else None)
        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self):
        remaining = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        """One log event, like a logging record (without the level prefix)."""
        from .logs import write_event
        try:
            write_event(str(msg))
        except Exception:
            sys.stdout.write(str(msg))

    def __repr__(self):
        return ("LambdaContext(["
                f"aws_request_id={self.aws_request_id},"
                f"log_group_name={self.log_group_name},"
                f"log_stream_name={self.log_stream_name},"
                f"function_name={self.function_name},"
                f"memory_limit_in_mb={self.memory_limit_in_mb},"
                f"function_version={self.function_version},"
                f"invoked_function_arn={self.invoked_function_arn},"
                f"client_context={self.client_context},"
                f"identity={self.identity},"
                f"tenant_id={self.tenant_id}"
                "])")
