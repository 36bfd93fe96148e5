// lambdad's bootstrap for nodejs18.x … nodejs22.x functions: runs an AWS Lambda Node.js handler
// unchanged over the Runtime API 2018-06-01 (see README.md).
//
//   node index.mjs      with _HANDLER, LAMBDA_TASK_ROOT and AWS_LAMBDA_RUNTIME_API set
//
// The runtime's own modules beside this file are CommonJS: require() loads them in ~4 ms less
// than import would (ESM resolution and linking per file), which every cold start pays.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { initialise, serve } = require('./runtime.cjs');

initialise().then((worker) => worker && serve(worker.runtime, worker.fn));
