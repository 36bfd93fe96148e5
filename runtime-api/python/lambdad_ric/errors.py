"""Error bodies, as AWS's Python runtime posts them and writes them to the log.

Body: {"errorMessage", "errorType", "requestId", "stackTrace"} in that order; "requestId" is ""
for init errors. "stackTrace" lists `traceback.format_list` entries built from plain
(file, line, function, text) tuples, so there are no `^^^^` markers, starting at the first frame
that is not this runtime's own.

Only the error path imports this module (and `traceback`).
"""

import os

# The text AWS's runtime logs (at WARNING, through `logging`) before an init error.
UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function "
    "change, or can be applied automatically. To determine if the runtime has been updated, "
    "check the runtime version in the INIT_START log entry. If this error correlates with a "
    "change in the runtime version, you may be able to mitigate this error by temporarily "
    "rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)

_RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OWN_FILES = (os.path.join(_RUNTIME_DIR, "lambdad_ric") + os.sep,
              os.path.join(_RUNTIME_DIR, "bootstrap.py"))


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace or [],
    }


def from_fault(fault, request_id=None):
    return make_error(fault.msg, fault.exception_type, fault.trace, request_id)


def _text(value):
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__} object>"


def from_exception(exc, request_id=None):
    """The body for an exception raised by the function (at import or in its handler)."""
    import traceback
    frames = [(f.filename, f.lineno, f.name, f.line)
              for f in traceback.extract_tb(exc.__traceback__)]
    for i, frame in enumerate(frames):
        if not frame[0].startswith(_OWN_FILES):
            frames = frames[i:]
            break
    return make_error(_text(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def _indent_nbsp(line):
    """Leading spaces become NO-BREAK SPACEs, as AWS's runtime writes trace lines to the log."""
    stripped = line.lstrip(" ")
    return "\u00a0" * (len(line) - len(stripped)) + stripped


def log_lines(error):
    """The text-format log event for an error, as lines: `[ERROR] Type: message`, then the
    trace (AWS writes them as one event)."""
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            head += ":"
        head += " " + error["errorMessage"]
    lines = [head]
    trace = error.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for entry in trace:
            if entry == "":
                lines.append("")
            else:
                lines.extend(_indent_nbsp(line) for line in entry.splitlines())
    return lines
