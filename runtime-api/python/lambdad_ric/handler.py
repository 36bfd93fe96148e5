"""Finding the function's handler from `_HANDLER`, with AWS's error types and messages.

`module.function`, `package.sub.module.function` and `path/to/module.function` (the slashes are
package separators) are accepted. A module that raises while it is imported is reported by the
caller with the exception's own class name.
"""

import importlib
import sys

from .fault import (BUILT_IN_MODULE_CONFLICT, HANDLER_NOT_FOUND, IMPORT_MODULE_ERROR,
                    MALFORMED_HANDLER_NAME, USER_CODE_SYNTAX_ERROR, Fault)


def load_handler(name):
    """Imports the handler's module and returns the handler; raises Fault for the cases AWS
    names, and lets anything the module itself raises at import time through."""
    try:
        module_name, function_name = name.rsplit(".", 1)
    except ValueError as e:
        raise Fault(MALFORMED_HANDLER_NAME, f"Bad handler '{name}': {e}") from None

    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise Fault(BUILT_IN_MODULE_CONFLICT,
                        f"Cannot use built-in module {module_name} as a handler module")
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise Fault(IMPORT_MODULE_ERROR,
                    f"Unable to import module '{module_name}': {e}") from None
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault(USER_CODE_SYNTAX_ERROR,
                    f"Syntax error in module '{module_name}': {e}", trace) from None

    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault(HANDLER_NOT_FOUND,
                    f"Handler '{function_name}' missing on module '{module_name}'") from None
