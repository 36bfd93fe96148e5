// The Runtime API 2018-06-01 client: one keep-alive connection to AWS_LAMBDA_RUNTIME_API
// through node:http (not fetch: undici's load time would add to every cold start).

'use strict';

const http = require('node:http');

const BASE = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

/** A header value may not hold control characters or non-ASCII: percent-encode those. */
function headerSafe(value) {
  const text = String(value);
  // eslint-disable-next-line no-control-regex
  return /^[\t\x20-\x7e]*$/.test(text) ? text
    : text.replace(/[^\t\x20-\x7e]/gu, (c) => encodeURIComponent(c));
}

class RuntimeApiClient {
  /** @param {string} address host:port (an IPv6 host in brackets) */
  constructor(address) {
    const colon = address.lastIndexOf(':');
    this.hostname = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    this.port = Number(address.slice(colon + 1));
    // One socket: the posts and the next /next go out in order on the same connection.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** Waits (with no time limit) for the next event: {body: string, headers: lowercase names}. */
  async next() {
    const r = await this.#request('GET', `${BASE}/invocation/next`);
    if (r.status !== 200) {
      throw new Error(`Failed to get the next invocation: HTTP ${r.status} ${r.body}`);
    }
    return r;
  }

  /** Posts a serialised result (string or Buffer); the status (202 when accepted). */
  async postResponse(id, body, contentType = 'application/json') {
    const r = await this.#request('POST', `${BASE}/invocation/${encodeURIComponent(id)}/response`,
      { 'Content-Type': contentType }, body);
    return r.status;
  }

  /** Posts an error body ({errorType, errorMessage, trace}); the status. */
  async postError(id, error) {
    return this.#postError(`${BASE}/invocation/${encodeURIComponent(id)}/error`, error);
  }

  async postInitError(error) {
    return this.#postError(`${BASE}/init/error`, error);
  }

  async #postError(path, error) {
    const r = await this.#request('POST', path, {
      'Content-Type': 'application/json',
      [ERROR_TYPE_HEADER]: headerSafe(error.errorType ?? 'Runtime.Unknown'),
    }, JSON.stringify(error));
    return r.status;
  }

  #request(method, path, headers = {}, body = undefined) {
    return new Promise((resolve, reject) => {
      const send = (retried) => {
        if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
        const req = http.request({
          hostname: this.hostname, port: this.port, method, path, headers, agent: this.agent,
        }, (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({
            status: res.statusCode,
            headers: res.headers,
            body: chunks.length === 1 ? chunks[0].toString('utf8')
              : Buffer.concat(chunks).toString('utf8'),
          }));
          res.on('error', reject);
          res.on('aborted', () => reject(new Error(`${method} ${path}: connection lost`)));
        });
        req.on('error', (err) => {
          // The server closed a kept-alive connection just as we reused it: send once more.
          if (!retried && req.reusedSocket && err.code === 'ECONNRESET') send(true);
          else reject(err);
        });
        req.end(body);
      };
      send(false);
    });
  }
}

module.exports = { RuntimeApiClient };
