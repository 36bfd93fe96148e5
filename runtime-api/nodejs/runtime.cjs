// The two phases of a Node.js worker: initialise() (console, process hooks, the user's module)
// and serve() (the invoke loop). index.mjs runs one after the other; keeping them apart lets a
// process be initialised ahead of the events it will serve.

'use strict';

const { UnhandledPromiseRejection } = require('./errors.cjs');
const { Runtime } = require('./invoke-loop.cjs');
const { logError, patchConsole } = require('./logging.cjs');
const { RuntimeApiClient } = require('./rapid-client.cjs');
const { loadHandler } = require('./user-function.cjs');

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
