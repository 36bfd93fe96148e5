"""Output: print() lines go out at once, and `logging` behaves as in AWS's Python runtime.

On AWS the root logger carries one handler that writes
    [LEVEL]\\t2024-05-01T12:00:00.123Z\\t<request id>\\t<message>
(UTC, the request id of the current invocation, "" during init), or a JSON object per record
when AWS_LAMBDA_LOG_FORMAT=JSON; AWS_LAMBDA_LOG_LEVEL sets the root level (WARNING otherwise, the
`logging` default). Because the root logger has a handler, `logging.basicConfig()` in user code
does nothing, as on AWS.

`logging` costs ~8 ms to import, so it is configured when something imports it: a finder on
sys.meta_path wraps the loader of the `logging` module and installs the handler right after the
module has run, before the importer sees it. A function that never logs never pays for it.

One record is one log event on AWS (its runtime frames each record on a telemetry pipe). lambdad
stores each stdout line as an event, so a record's inner newlines are written as "\\r", which is
what AWS's runtime itself does for errors when it has no telemetry pipe.
"""

import os
import sys
import time

# The invocation being handled: every log record carries its id.
request_id = ""
tenant_id = None

TEXT_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"

JSON_FORMAT = (os.environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"


def _level_from_env():
    value = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if value is None:
        return ""
    return ("DEBUG" if value == "TRACE" else value).upper()


def one_event(text):
    """`text` as one stdout line: inner newlines become "\\r", one "\\n" ends it."""
    if text.endswith("\n"):
        text = text[:-1]
    return text.replace("\n", "\r") + "\n"


def write_event(text):
    """Writes one log event to stdout (sys.stdout as it is now, as AWS's runtime does)."""
    stream = sys.stdout
    stream.write(one_event(text))
    stream.flush()


def setup_stdio():
    """stdout and stderr are pipes, block-buffered by default: flush them at each newline."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if not stream.line_buffering:
                stream.reconfigure(line_buffering=True)
        except (AttributeError, ValueError, OSError):
            pass


def flush_stdio():
    """Before an answer is posted, so that everything printed belongs to its invocation."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def log_error(error):
    """Logs an error body the way AWS's runtime does: one event."""
    try:
        if JSON_FORMAT:
            from .jsoncodec import to_json
            stamp = time.strftime(DATE_FORMAT, time.gmtime())
            write_event(to_json({"timestamp": stamp, "level": "ERROR", **error}))
        else:
            from .errors import log_lines
            write_event("\n".join(log_lines(error)))
    except Exception:
        pass  # a closed or replaced stdout must not stop the answer


# ---- logging ------------------------------------------------------------------------------------

_RESERVED = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated",
    "thread", "threadName", "processName", "process", "aws_request_id", "tenant_id",
    "_frame_type",
))


_configured = False


def configure_logging(logging):
    """Installs AWS's root handler on the (just imported) logging module."""
    global _configured
    if _configured:
        return
    _configured = True
    logging.Formatter.converter = time.gmtime

    class LambdaLoggerFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = request_id or ""
            record.tenant_id = tenant_id
            return True

    class LambdaLoggerHandler(logging.Handler):
        def emit(self, record):
            try:
                write_event(self.format(record))
            except Exception:
                self.handleError(record)

    class JsonFormatter(logging.Formatter):
        """AWS's JSON record: fixed keys first, then the record's extra attributes; no nulls."""

        def __init__(self):
            super().__init__(datefmt=DATE_FORMAT)

        def formatTime(self, record, datefmt=None):
            stamp = time.strftime(DATE_FORMAT, time.gmtime(record.created))
            return "%s.%03dZ" % (stamp, int(record.created * 1000) % 1000)

        def format(self, record):
            record.levelno = min(50, max(0, record.levelno)) // 10 * 10
            record.levelname = logging.getLevelName(record.levelno)
            exc = record.exc_info
            fields = {
                "timestamp": self.formatTime(record, self.datefmt),
                "level": record.levelname,
                "message": record.getMessage(),
                "logger": record.name,
            }
            if exc:
                import traceback
                fields["stackTrace"] = traceback.format_tb(exc[2])
                fields["errorType"] = exc[0].__name__
                fields["errorMessage"] = str(exc[1])
            fields["requestId"] = getattr(record, "aws_request_id", None)
            if exc:
                fields["location"] = f"{record.pathname}:{record.funcName}:{record.lineno}"
            if getattr(record, "tenant_id", None) is not None:
                fields["tenantId"] = record.tenant_id
            for key, value in record.__dict__.items():
                if key not in _RESERVED and key not in fields:
                    fields[key] = value
            from .jsoncodec import to_json_log
            return to_json_log({k: v for k, v in fields.items() if v is not None}) + "\n"

    handler = LambdaLoggerHandler()  # AWS's class names: some libraries look for them
    if JSON_FORMAT:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, DATE_FORMAT))
    handler.addFilter(LambdaLoggerFilter())
    root = logging.getLogger()
    level = _level_from_env()
    if level in getattr(logging, "_nameToLevel", {}):
        root.setLevel(level)
    root.addHandler(handler)


class _ConfiguringLoader:
    """Runs the real loader of `logging`, then configures the module."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        module.__loader__ = self.loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self.loader
        configure_logging(module)

    def __getattr__(self, name):  # get_code, get_source, is_package, ...
        return getattr(self.loader, name)


class _LoggingFinder:
    """A sys.meta_path entry that answers only for `logging`, once."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname != "logging":
            return None
        try:
            sys.meta_path.remove(cls)
        except ValueError:
            pass
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _ConfiguringLoader(spec.loader)
                return spec
        return None

    @classmethod
    def invalidate_caches(cls):
        pass


def install_logging():
    """Configures `logging` now if it is already imported, else when it first is. Called again
    after the function's module is imported, for a `logging` whose loader could not be wrapped
    (a legacy zip importer): it is then configured before the first invocation."""
    module = sys.modules.get("logging")
    if module is not None:
        configure_logging(module)
    elif _LoggingFinder not in sys.meta_path:
        sys.meta_path.insert(0, _LoggingFinder)


def warn_unhandled_exception(message):
    """`logging.warning(message)`, as AWS's runtime logs before an init error."""
    try:
        import logging
        logging.warning(message)
    except Exception:
        pass
