// A module resolve hook (module.register) that lets ES modules import packages from NODE_PATH's
// node_modules folders, which Node.js's ESM resolution never reads: on Lambda an `import` of
// '@aws-sdk/client-s3' from an .mjs handler finds the SDK the runtime ships; here that SDK is
// the machine's global npm root, on NODE_PATH. Registered only when a handler is an ES module.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

let folders = [];

export function initialize(data) {
  folders = Array.isArray(data?.folders) ? data.folders : [];
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw error;
    const name = packageName(specifier);
    for (const folder of folders) {
      if (!existsSync(path.join(folder, name))) continue;
      // Resolved as if imported from a file beside the folder: Node then finds <folder>/<name>
      // and honours the package's "exports" for an import.
      const parentURL = pathToFileURL(path.join(path.dirname(folder), 'lambdad-esm-anchor.mjs')).href;
      return nextResolve(specifier, { ...context, parentURL });
    }
    throw error;
  }
}
