// Runs with Node's own test runner (no dependencies): cd hello-world && npm test
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lambdaHandler } from '../../app.mjs';

test('answers hello world', async () => {
  const result = await lambdaHandler({ httpMethod: 'GET', path: '/hello' }, {});
  assert.equal(result.statusCode, 200);
  assert.deepEqual(JSON.parse(result.body), { message: 'hello world' });
});
