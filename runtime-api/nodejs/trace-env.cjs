// _X_AMZN_TRACE_ID lives in process.env only, not in the C environment. Assigning to process.env
// calls setenv(), and glibc's setenv() keeps every distinct value it was ever given (a pointer
// getenv() returned must stay valid): a new trace id per invocation grew a worker by ~170 bytes
// a call (166 MB per million) and made each assignment search that growing set. As in the Python
// runtime, JavaScript sees the variable (the X-Ray SDK, OpenTelemetry, Object.keys, `in`), and
// so does a child process started with process.env; native code calling getenv() does not.

'use strict';

const NAME = '_X_AMZN_TRACE_ID';

/** Replaces proc.env by a view that holds _X_AMZN_TRACE_ID itself and passes the rest through. */
function keepTraceIdInJs(proc = process) {
  const env = proc.env;
  let value; // undefined: not set
  if (Object.prototype.hasOwnProperty.call(env, NAME)) {
    value = env[NAME];
    delete env[NAME]; // unsetenv() frees nothing it should keep: no growth
  }
  const set = (v) => {
    value = `${v}`; // the string conversion process.env applies (a Symbol throws alike)
    return true;
  };
  proc.env = new Proxy(env, {
    get: (target, key) => (key === NAME ? value : Reflect.get(target, key)),
    set: (target, key, v) => (key === NAME ? set(v) : Reflect.set(target, key, v)),
    defineProperty: (target, key, descriptor) => (key === NAME ? set(descriptor.value)
      : Reflect.defineProperty(target, key, descriptor)),
    has: (target, key) => (key === NAME ? value !== undefined : Reflect.has(target, key)),
    deleteProperty: (target, key) => {
      if (key !== NAME) return Reflect.deleteProperty(target, key);
      value = undefined;
      return true;
    },
    ownKeys: (target) => {
      const keys = Reflect.ownKeys(target);
      if (value !== undefined) keys.push(NAME);
      return keys;
    },
    getOwnPropertyDescriptor: (target, key) => {
      if (key !== NAME) return Reflect.getOwnPropertyDescriptor(target, key);
      return value === undefined ? undefined
        : { value, writable: true, enumerable: true, configurable: true };
    },
  });
}

module.exports = { keepTraceIdInJs };
