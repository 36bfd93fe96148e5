// The Runtime API 2018-06-01 client: one keep-alive connection to AWS_LAMBDA_RUNTIME_API speaking
// just the HTTP/1.1 the Runtime API needs (Content-Length or chunked bodies, in-order replies,
// `Connection: close`, a request resent once when a kept-alive connection turns out closed) over
// node:net.
// Not node:http (its client costs ~4 ms to load and tens of µs per request) nor fetch (undici's
// load time would add to every cold start).

'use strict';

const net = require('node:net');

const BASE = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 64 * 1024;

/** A header value may not hold control characters or non-ASCII: percent-encode those. */
function headerSafe(value) {
  const text = String(value);
  // eslint-disable-next-line no-control-regex
  return /^[\t\x20-\x7e]*$/.test(text) ? text
    : text.replace(/[^\t\x20-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** Status and lowercase headers of a reply head (latin1 text without the blank line). */
function parseHead(text) {
  const lines = text.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!match) throw new Error(`Runtime API: malformed status line ${JSON.stringify(lines[0])}`);
  const headers = {};
  for (let i = 1; i < lines.length; i += 1) {
    const colon = lines[i].indexOf(':');
    if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
  }
  return { status: Number(match[1]), headers };
}

/** A chunked body starting at `pos`: {body, end}, or null while incomplete. */
function parseChunked(data, start) {
  const parts = [];
  for (let pos = start; ;) {
    const eol = data.indexOf('\r\n', pos);
    if (eol < 0) return null;
    const size = parseInt(data.toString('latin1', pos, eol).split(';')[0], 16);
    if (Number.isNaN(size)) throw new Error('Runtime API: malformed chunked reply');
    pos = eol + 2;
    if (size === 0) {
      // Trailers, up to an empty line.
      for (;;) {
        const end = data.indexOf('\r\n', pos);
        if (end < 0) return null;
        if (end === pos) return { body: Buffer.concat(parts), end: end + 2 };
        pos = end + 2;
      }
    }
    if (data.length < pos + size + 2) return null;
    parts.push(data.subarray(pos, pos + size));
    pos += size + 2;
  }
}

class RuntimeApiClient {
  #host;
  #port;
  #socket = null;
  #waiting = []; // {resolve, reject, what}, one per request sent, in order
  #chunks = [];
  #received = 0;
  #head = null; // the parsed head of the reply being read, with bodyStart and length
  #replies = 0; // on this connection: a request sent after one is on a kept-alive connection

  /** @param {string} address host:port (an IPv6 host in brackets) */
  constructor(address) {
    const colon = address.lastIndexOf(':');
    this.#host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    this.#port = Number(address.slice(colon + 1));
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

  /** Runs `fn`; the requests it makes leave in one write (HTTP/1.1 pipelining). */
  together(fn) {
    if (this.#socket === null) this.#connect();
    const socket = this.#socket;
    socket.cork();
    try {
      return fn();
    } finally {
      socket.uncork();
    }
  }

  #request(method, path, headers = {}, body = undefined, retried = false) {
    return new Promise((resolve, reject) => {
      if (this.#socket === null) this.#connect();
      const request = { method, path, headers, body, retried, reused: this.#replies > 0 };
      let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.#host}:${this.#port}\r\n`;
      for (const name of Object.keys(headers)) head += `${name}: ${headers[name]}\r\n`;
      const payload = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
      if (payload !== null) head += `Content-Length: ${payload.length}\r\n`;
      head += '\r\n';
      this.#waiting.push({ resolve, reject, request });
      // Only a request in flight keeps the process alive: the runtime tells an empty event loop
      // (callbackWaitsForEmptyEventLoop) by 'beforeExit', as node:http's idle sockets allow.
      this.#socket.ref();
      // One write (one segment) for a small request; a big body is not copied.
      if (payload === null) this.#socket.write(head, 'latin1');
      else if (payload.length <= 16384) {
        this.#socket.write(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
      } else {
        this.#socket.cork();
        this.#socket.write(head, 'latin1');
        this.#socket.write(payload);
        this.#socket.uncork();
      }
    });
  }

  #connect() {
    const socket = net.connect({ host: this.#host, port: this.#port });
    socket.setNoDelay(true);
    // A connection given up on (Connection: close) still reports its end later: ignore it then.
    socket.on('data', (chunk) => this.#socket === socket && this.#receive(chunk));
    socket.on('error', (err) => this.#socket === socket && this.#lost(err));
    socket.on('close', () => this.#socket === socket && this.#lost(null));
    this.#socket = socket;
    this.#replies = 0;
  }

  /** The connection is gone: every request still waiting fails; the next one reconnects. */
  #lost(err) {
    if (this.#socket === null) return;
    this.#socket.destroy();
    this.#socket = null;
    this.#chunks = [];
    this.#received = 0;
    this.#head = null;
    for (const { resolve, reject, request: r } of this.#waiting.splice(0)) {
      // The server closed a kept-alive connection just as we reused it: send once more.
      if (r.reused && !r.retried) {
        this.#request(r.method, r.path, r.headers, r.body, true).then(resolve, reject);
      } else {
        reject(err ?? new Error(`${r.method} ${r.path}: connection lost`));
      }
    }
  }

  #receive(chunk) {
    this.#chunks.push(chunk);
    this.#received += chunk.length;
    try {
      while (this.#received > 0 && this.#complete()) { /* one reply per pass */ }
    } catch (err) {
      this.#lost(err);
    }
  }

  /** Hands over one whole reply if it has arrived; false when more bytes are needed. */
  #complete() {
    // A big body arrives in many chunks: join them once, when it is all there.
    if (this.#head !== null && !this.#head.chunked &&
        this.#received < this.#head.bodyStart + this.#head.length) {
      return false;
    }
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#received)];
    const data = this.#chunks[0];
    if (this.#head === null) {
      const end = data.indexOf(HEADER_END);
      if (end < 0) {
        if (data.length > MAX_HEADER_BYTES) throw new Error('Runtime API: reply head too large');
        return false;
      }
      const head = parseHead(data.toString('latin1', 0, end));
      head.chunked = /chunked/i.test(head.headers['transfer-encoding'] ?? '');
      head.bodyStart = end + HEADER_END.length;
      head.length = Number(head.headers['content-length'] ?? 0);
      this.#head = head;
    }
    const { status, headers, bodyStart, length, chunked } = this.#head;
    let body;
    let end;
    if (chunked) {
      const parsed = parseChunked(data, bodyStart);
      if (parsed === null) return false;
      body = parsed.body.toString('utf8');
      end = parsed.end;
    } else {
      if (data.length < bodyStart + length) return false;
      body = data.toString('utf8', bodyStart, bodyStart + length);
      end = bodyStart + length;
    }
    this.#chunks = end < data.length ? [data.subarray(end)] : [];
    this.#received = data.length - end;
    this.#head = null;
    this.#replies += 1;
    const waiter = this.#waiting.shift();
    const socket = this.#socket;
    if (/close/i.test(headers.connection ?? '')) {
      // Whatever is still waiting went out on this connection: #lost sends it again.
      this.#lost(null);
    } else if (this.#waiting.length === 0) {
      socket.unref();
    }
    if (waiter) waiter.resolve({ status, headers, body });
    return this.#socket !== null;
  }
}

module.exports = { RuntimeApiClient };
