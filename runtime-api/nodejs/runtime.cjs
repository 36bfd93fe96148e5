// The two phases of a Node.js worker: initialise() (console, process hooks, the user's module)
// and serve() (the invoke loop). index.mjs runs one after the other; keeping them apart lets a
// process be initialised ahead of the events it will serve.

'use strict';

const { UnhandledPromiseRejection } = require('./errors.cjs');
const { Runtime } = require('./invoke-loop.cjs');
const { logError, patchConsole } = require('./logging.cjs');
const { RuntimeApiClient } = require('./rapid-client.cjs');
const { loadHandler } = require('./user-function.cjs');

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
 * Init: console patched, process hooks installed, the handler loaded. A load failure is logged
 * ("Uncaught Exception"), posted to /runtime/init/error, and the process exits with 129.
 * Resolves to {loop, fn} for serve(), or to null after such a failure.
 */
async function initialise(env = process.env) {
  patchConsole(env);
  if (!env.AWS_LAMBDA_RUNTIME_API) {
    process.stderr.write('lambdad nodejs runtime: AWS_LAMBDA_RUNTIME_API is not set\n');
    process.exit(1);
  }
  const loop = new Runtime(new RuntimeApiClient(env.AWS_LAMBDA_RUNTIME_API));

  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    loop.crash(error, 129);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    loop.crash(error, 128);
  });
  process.on('beforeExit', () => loop.eventLoopEmpty());

  try {
    const fn = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER ?? '');
    warnOnCallbackHandler(fn, env);
    return { loop, fn };
  } catch (error) {
    logError('Uncaught Exception', error);
    loop.crash(error, 129);
    return null;
  }
}

/** The invoke loop: serves events until the process ends. */
function serve({ loop, fn }) {
  loop.start(fn);
}

module.exports = { initialise, serve };
