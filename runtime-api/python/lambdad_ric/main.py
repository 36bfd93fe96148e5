"""Start-up and the invocation loop.

The two phases are separate functions so that a pre-initialising parent (a zygote) can run the
first and fork children that run the second:
  prepare_process(task_root)  sys.path, stdout/stderr buffering, `logging` hook
  load_handler(name)          imports the function's module (handler.py)
  serve(api, handler)         GET /next, call, POST the answer, forever
"""

import os
import sys

from . import logs
from .api import ApiError, from_environment
from .context import LambdaContext
from .fault import MARSHAL_ERROR, UNMARSHAL_ERROR, Fault
from .handler import load_handler
from .jsoncodec import from_json, to_json

_RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TRACE_ID = "_X_AMZN_TRACE_ID"


def prepare_process(task_root):
    """What AWS's runtime sets up before it imports the function."""
    logs.setup_stdio()
    # AWS's order: /var/task, the layers' folders (PYTHONPATH), the runtime, the standard library.
    # Python put this script's folder (the runtime's) first: the task root takes its place.
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _RUNTIME_DIR:
        sys.path[0] = task_root
    else:
        sys.path.insert(0, task_root)
    if _RUNTIME_DIR not in sys.path:
        sys.path.insert(1, _RUNTIME_DIR)
    logs.install_logging()


def _fatal(message):
    logs.flush_stdio()
    sys.stderr.write(f"lambdad python runtime: {message}\n")
    sys.stderr.flush()
    sys.exit(1)


def report_init_error(api, error):
    """Logs an init error as AWS does and posts it to /runtime/init/error."""
    from .errors import UNHANDLED_EXCEPTION_WARNING
    logs.warn_unhandled_exception(UNHANDLED_EXCEPTION_WARNING)
    logs.log_error(error)
    logs.flush_stdio()
    try:
        api.post_init_error(encode_error(error), error["errorType"])
    except (ApiError, OSError, ValueError) as e:
        sys.stderr.write(f"lambdad python runtime: cannot report the init error: {e}\n")


def set_trace_id(value):
    """Sets _X_AMZN_TRACE_ID for this invocation, or removes it.

    Only os.environ's mapping is changed, not the C environment: glibc's setenv() keeps every
    distinct value it was given, so a new trace id per invocation would leak ~100 bytes each
    time. Code in the function sees it (os.environ, os.getenv, the X-Ray SDK); a child process
    started with the inherited environment does not."""
    environ = os.environ
    data = getattr(environ, "_data", None)
    if data is None:  # not CPython's os._Environ: the plain way
        if value:
            environ[_TRACE_ID] = value
        else:
            environ.pop(_TRACE_ID, None)
        return
    key = environ.encodekey(_TRACE_ID)
    if value:
        data[key] = environ.encodevalue(value)
    else:
        data.pop(key, None)


def decode_event(body, content_type):
    if content_type != "application/json":
        return bytes(body)  # as AWS: any other type reaches the handler as bytes
    try:
        return from_json(body)
    except Exception as e:
        raise Fault(UNMARSHAL_ERROR, f"Unable to unmarshal input: {e}") from None


def encode_result(result):
    """(payload bytes, content type) of a handler's return value."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json(result).encode("utf-8"), "application/json"
    except Exception as e:  # not serialisable, or a str holding lone surrogates
        raise Fault(MARSHAL_ERROR, f"Unable to marshal response: {e}") from None


def encode_error(error):
    return to_json(error).encode("utf-8", "backslashreplace")


def _post(call, *args):
    try:
        call(*args)
    except ApiError as e:
        if e.status >= 500:  # the environment is gone
            _fatal(str(e))
        if e.status != 413:  # too large: lambdad reports Function.ResponseSizeTooLarge itself
            sys.stderr.write(f"lambdad python runtime: {e}\n")
    except (OSError, ValueError) as e:
        sys.stderr.write(f"lambdad python runtime: cannot post the answer: {e!r}\n")


def handle(api, handler, invocation):
    """One invocation: the handler's result or error is posted; SystemExit and other
    BaseExceptions propagate (the worker exits, as on AWS)."""
    request_id = invocation.request_id
    error = None
    try:
        context = LambdaContext(request_id, invocation.client_context,
                                invocation.cognito_identity, invocation.deadline_ms,
                                invocation.invoked_function_arn, invocation.tenant_id)
        event = decode_event(invocation.body, invocation.content_type)
        payload, content_type = encode_result(handler(event, context))
    except Fault as fault:
        from .errors import from_fault
        error = from_fault(fault, request_id)
    except Exception as exc:
        from .errors import from_exception
        error = from_exception(exc, request_id)
    if error is None:
        logs.flush_stdio()
        _post(api.post_response, request_id, payload, content_type)
    else:
        logs.log_error(error)
        logs.flush_stdio()
        _post(api.post_error, request_id, encode_error(error), error["errorType"])


def serve(api, handler):
    while True:
        try:
            invocation = api.next()
        except (ApiError, OSError, ValueError) as e:
            _fatal(f"cannot get the next invocation: {e}")
        if not invocation.request_id:
            _fatal("/invocation/next answered without a request id")
        logs.request_id = invocation.request_id
        logs.tenant_id = invocation.tenant_id
        set_trace_id(invocation.trace_id)
        handle(api, handler, invocation)


def main(argv=None):
    argv = sys.argv if argv is None else argv
    # AWS's runtime interface client takes the handler as its argument; the managed runtime's
    # bootstrap passes _HANDLER.
    handler_name = argv[1] if len(argv) > 1 else os.environ.get("_HANDLER", "")
    prepare_process(os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
    try:
        api = from_environment()
    except ValueError as e:
        _fatal(str(e))
    try:
        handler = load_handler(handler_name)
    except Fault as fault:
        from .errors import from_fault
        report_init_error(api, from_fault(fault))
        sys.exit(1)
    except Exception as exc:
        from .errors import from_exception
        report_init_error(api, from_exception(exc))
        sys.exit(1)
    logs.install_logging()
    serve(api, handler)
