// The errors the runtime reports, and the two shapes AWS's Node.js runtime gives them:
// - the body posted to the Runtime API (`toRapidResponse`): {errorType, errorMessage, trace};
// - the JSON written to the log after "Invoke Error" / "Uncaught Exception" (`toFormatted`):
//   a tab, then the error with its enumerable properties and `stack` as an array of lines.

'use strict';

const { types } = require('node:util');

class ImportModuleError extends Error {}
class HandlerNotFound extends Error {}
class MalformedHandlerName extends Error {}
class UserCodeSyntaxError extends Error {}
class MalformedStreamingHandler extends Error {}
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
// An async handler whose promise never settled: the event loop ran dry while it was pending.
class NodeJsExit extends Error {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most ' +
        'commonly caused by a Promise that was never settled. For more information, see ' +
        'https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}

// The class is `ImportModuleError`, its errors are named `Runtime.ImportModuleError` (the name
// sits on the prototype, so it also heads the stack).
for (const cls of [ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError,
  MalformedStreamingHandler, UnhandledPromiseRejection, NodeJsExit]) {
  cls.prototype.name = `Runtime.${cls.name}`;
}

/** Something thrown that quacks like an Error (another realm's, a hand-made one). */
function errorLike(value) {
  return Boolean(value && value.name && value.message && value.stack &&
    typeof value.name === 'string' && typeof value.message === 'string' &&
    typeof value.stack === 'string');
}

/** The error body posted to /invocation/{id}/error and /init/error. */
function toRapidResponse(error) {
  try {
    if (types.isNativeError(error) || errorLike(error)) {
      // (an error whose stack was deleted lands in the catch below, as on AWS)
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    // A thrown string, number or plain object: its type and its string form.
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while ' +
        'retrieving one or more of its message, name, and stack',
    };
  }
}

/** Errors in the log JSON: name, message, code and own properties, stack as lines. */
function loggable(_key, value) {
  if (!(value instanceof Error)) return value;
  const out = Object.assign(
    { errorType: value.name, errorMessage: value.message, code: value.code },
    value,
  );
  if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
  return out;
}

/** The text logged after "Invoke Error" and "Uncaught Exception" (starts with a tab). */
function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, loggable);
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

function intoError(value) {
  return value instanceof Error ? value : new Error(value);
}

module.exports = {
  ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError,
  MalformedStreamingHandler, UnhandledPromiseRejection, NodeJsExit,
  toRapidResponse, toFormatted, intoError,
};
