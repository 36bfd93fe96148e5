// The phases of a Node.js worker, kept apart so that a process can be prepared and its function
// loaded ahead of the events it will serve:
//   prepare()       console patched, process hooks installed, _X_AMZN_TRACE_ID kept in JS (no user
//                   code, no Runtime API yet)
//   loadFunction()  the user's module loaded: init; a failure is reported and ends the process
//   serve()         the invoke loop (the first /next ends init)
// initialise() is prepare + loadFunction, what index.mjs runs before serve().

'use strict';

const { UnhandledPromiseRejection } = require('./errors.cjs');
const { Runtime } = require('./invoke-loop.cjs');
const { logError, patchConsole } = require('./logging.cjs');
const { RuntimeApiClient } = require('./rapid-client.cjs');
const { keepTraceIdInJs } = require('./trace-env.cjs');
const { loadHandler } = require('./user-function.cjs');

function runtimeApiAddress(env) {
  const address = env.AWS_LAMBDA_RUNTIME_API;
  if (!address) {
    process.stderr.write('lambdad nodejs runtime: AWS_LAMBDA_RUNTIME_API is not set\n');
    process.exit(1);
  }
  return address;
}

/** Patches console and installs the process hooks; returns the Runtime to load and serve. */
function prepare(env = process.env) {
  keepTraceIdInJs();
  patchConsole(env);
  // The Runtime API is looked up when first used (serving, or reporting an init failure).
  const runtime = new Runtime(() => new RuntimeApiClient(runtimeApiAddress(env)));
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    runtime.crash(error, 129);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    runtime.crash(error, 128);
  });
  process.on('beforeExit', () => runtime.eventLoopEmpty());
  return runtime;
}

/** AWS's runtimes for Node.js 18-22 warn at init about (event, context, callback) handlers. */
function warnOnCallbackHandler(fn, env) {
  if (env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING !== undefined) return;
  if (fn.handler.length !== 3 || fn.isAsync || fn.streaming) return;
  console.warn('AWS Lambda plans to remove support for callback-based function handlers ' +
    'starting with Node.js 24. You will need to update this function to use an async handler ' +
    'to use Node.js 24 or later. For more information and to provide feedback on this change, ' +
    'see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To ' +
    'disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment ' +
    'variable.');
}

/**
 * Init: loads the handler named by _HANDLER from LAMBDA_TASK_ROOT. A failure is logged
 * ("Uncaught Exception"), posted to /runtime/init/error, and the process exits with 129; the
 * promise then resolves to null.
 */
async function loadFunction(runtime, env = process.env) {
  try {
    const fn = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER ?? '');
    warnOnCallbackHandler(fn, env);
    return fn;
  } catch (error) {
    logError('Uncaught Exception', error);
    runtime.crash(error, 129);
    return null;
  }
}

/** The invoke loop: serves events until the process ends. */
function serve(runtime, fn) {
  runtime.start(fn);
}

/** prepare() and loadFunction(): resolves to {runtime, fn}, or null after an init failure. */
async function initialise(env = process.env) {
  runtimeApiAddress(env);
  const runtime = prepare(env);
  const fn = await loadFunction(runtime, env);
  return fn && { runtime, fn };
}

module.exports = { prepare, loadFunction, serve, initialise };
