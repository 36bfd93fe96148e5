// Init: finds and loads the handler named by _HANDLER the way AWS's Node.js runtime does.
//
// "src/handlers/app.obj.fn" is module root "src/handlers/", module "app", then the property path
// "obj.fn" inside it. The module file is tried, relative to the task root, as:
//   app (no extension, require) → app.js (require, unless the nearest package.json says
//   "type": "module") → app.js (import, when it does) → app.mjs (import) → app.cjs (require)
// and last as a package name resolved from the task root and the module root.
// Failures are Runtime.MalformedHandlerName, Runtime.ImportModuleError,
// Runtime.UserCodeSyntaxError or Runtime.HandlerNotFound; anything else the module throws while
// loading is reported as it is.

'use strict';

const { existsSync, readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const {
  HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError,
} = require('./errors.cjs');
const {
  installAwsLambdaGlobal, streamingHighWaterMark, streamingMode,
} = require('./streaming.cjs');

// The user's code is required from the entry point, so that a module that cannot be found
// reports "Require stack:\n- <runtime dir>/index.mjs" (AWS's: "- /var/runtime/index.mjs").
const requireUser = createRequire(path.join(__dirname, 'index.mjs'));

function requireIfExists(file) {
  return existsSync(file) ? requireUser(file) : undefined;
}

let esmNodePathRegistered = false;

/** ES modules do not read NODE_PATH: a resolve hook lets them import its packages (the AWS SDK
 * the runtime ships, layers), as on Lambda. Registered once, before the first ES module. */
function registerEsmNodePath() {
  if (esmNodePathRegistered) return;
  esmNodePathRegistered = true;
  const { register } = require('node:module');
  const folders = (process.env.NODE_PATH || '').split(':').filter((f) => f.endsWith('/node_modules'));
  if (typeof register !== 'function' || folders.length === 0) return;
  register('./esm-node-path.mjs', pathToFileURL(__filename), { data: { folders } });
}

async function importIfExists(file) {
  if (!existsSync(file)) return undefined;
  registerEsmNodePath();
  return import(pathToFileURL(file).href);
}

/** Whether the nearest package.json above `folder` (stopping at node_modules) says ESM. */
function packageTypeIsModule(folder) {
  for (;;) {
    if (folder.endsWith('/node_modules')) return false;
    const manifest = path.join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, 'utf8'))?.type === 'module';
      } catch (e) {
        console.warn(`${manifest} cannot be read, it will be ignored for ES module detection ` +
          'purposes.', e);
        return false;
      }
    }
    const parent = path.dirname(folder);
    if (parent === folder) return false;
    folder = parent;
  }
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  const bare = requireIfExists(base);
  if (bare) return bare;
  const esm = packageTypeIsModule(path.dirname(base));
  if (!esm) {
    const cjs = requireIfExists(base + '.js');
    if (cjs) return cjs;
  }
  const loaded = (esm && (await importIfExists(base + '.js'))) ||
    (await importIfExists(base + '.mjs')) ||
    requireIfExists(base + '.cjs');
  if (loaded) return loaded;
  // A package (node_modules) or a folder: Node's own resolution from the task root.
  return requireUser(requireUser.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
}

/**
 * Loads the handler. Returns {handler, isAsync, streaming, highWaterMark}; throws the Runtime.* errors above.
 * @param {string} appRoot the task root (LAMBDA_TASK_ROOT)
 * @param {string} handlerString _HANDLER, e.g. "src/handlers/app.lambdaHandler"
 */
async function loadHandler(appRoot, handlerString) {
  if (handlerString.includes('..')) {
    throw new MalformedHandlerName(`'${handlerString}' is not a valid handler name. Use ` +
      'absolute paths when specifying root directories in handler names.');
  }
  const last = path.basename(handlerString);
  const moduleRoot = handlerString.substring(0, handlerString.indexOf(last));
  const match = /^([^.]*)\.(.*)$/.exec(last);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, propertyPath] = match;

  installAwsLambdaGlobal();
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }

  const handler = propertyPath.split('.').reduce((object, key) => object && object[key], app);
  if (!handler) throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${handlerString} is not a function`);
  let isAsync = false;
  try {
    isAsync = handler.constructor?.name === 'AsyncFunction';
  } catch {
    // a Proxy or an odd constructor: treat as a plain function
  }
  const streaming = streamingMode(handler);
  return { handler, isAsync, streaming, highWaterMark: streamingHighWaterMark(handler) };
}

module.exports = { loadHandler };
