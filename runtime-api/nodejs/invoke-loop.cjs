// The invoke loop: /next → handler → /response or /error → /next ..., with the Node.js
// programming model of AWS's runtime:
// - a handler that returns a promise (async) is answered when it settles;
// - a callback handler is answered by callback(err, result), or by context.done / succeed /
//   fail; with context.callbackWaitsForEmptyEventLoop (default true) callback's result is sent
//   only once the event loop is empty, else at once;
// - a plain handler that never calls back is answered `null` when the event loop is empty; an
//   async one whose promise never settles gets Runtime.NodeJsExit;
// - only the first of callback / done / succeed / fail counts.
// Errors are logged as "Invoke Error" (see logging.cjs) and posted as {errorType, errorMessage,
// trace}. An uncaught exception or unhandled rejection ends the process after posting (crash()).

'use strict';

const { NodeJsExit, toRapidResponse } = require('./errors.cjs');
const { logError, setRequestId } = require('./logging.cjs');
const { bufferedResponseStream, STREAM_RESPONSE } = require('./streaming.cjs');

const noop = () => {};

function parseHeaderJson(text, name) {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

function serialise(result) {
  let text;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new Error('Unable to stringify response body');
  }
  // A function or a symbol stringifies to nothing, which AWS's runtime refuses this way.
  if (text === undefined) throw new TypeError('Wrong arguments');
  return text;
}

/** The context fields that come from the environment and the /next headers. */
function invocationFields(headers) {
  const env = process.env;
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseHeaderJson(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseHeaderJson(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis() {
      return deadline - Date.now();
    },
  };
}

function forwardTraceId(headers) {
  const trace = headers['lambda-runtime-trace-id'];
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;
}

const isPromise = (value) => Boolean(value && typeof value.then === 'function');

// Answers up to this many characters (at most 12 KB of UTF-8) go out pipelined with the next
// /next; bigger ones wait for their 202.
const PIPELINED_MAX = 4096;

const postFailed = (why) => new Error(`Failed to post handler success response. ${why}`);

// Named Runtime and calling `this.handler(...)` as AWS's runtime does: a handler declared with
// `function` sees the same `this`, and its stack frames read `Runtime.exports.handler`.
class Runtime {
  #client = null;
  #makeClient;
  #fn = null; // {handler, isAsync, streaming} from loadHandler
  #requestId = null; // the invocation being (or last) handled
  #whenEventLoopEmpty = noop;
  #exiting = false;
  #answered = true; // the last event's answer is posted: we are between invocations

  /** @param {() => RuntimeApiClient} makeClient called when the Runtime API is first needed */
  constructor(makeClient) {
    this.#makeClient = makeClient;
  }

  get #api() {
    return (this.#client ??= this.#makeClient());
  }

  /** Starts asking for events; `fn` is what loadHandler returned. */
  start(fn) {
    this.#fn = fn;
    this.handler = fn.handler;
    this.#scheduleNext();
  }

  /** process 'beforeExit': nothing is left to run. */
  eventLoopEmpty() {
    if (this.#exiting) return;
    const listener = this.#whenEventLoopEmpty;
    this.#whenEventLoopEmpty = noop;
    listener();
  }

  /**
   * An uncaught exception or unhandled rejection: reported as the current invocation's error
   * (as an init error before the first one), then the process exits with `exitCode`.
   */
  crash(error, exitCode) {
    if (this.#exiting) return;
    this.#exiting = true;
    // Between invocations the error belongs to none (and the post would wait behind the
    // pipelined /next): the next event goes to a fresh worker.
    if (this.#requestId !== null && this.#answered) process.exit(exitCode);
    const body = toRapidResponse(error);
    const posted = this.#requestId === null ? this.#api.postInitError(body)
      : this.#api.postError(this.#requestId, body);
    const exit = () => process.exit(exitCode);
    posted.then(exit, exit);
    setTimeout(exit, 2000).unref(); // an endpoint that never answers does not keep us alive
  }

  #scheduleNext() {
    if (this.#exiting) return;
    setImmediate(() => this.#askNext());
  }

  /** Sends GET /next now and handles the event it brings. */
  #askNext() {
    if (this.#exiting) return;
    const once = this.#fn.streaming === STREAM_RESPONSE ? this.#handleOneStreaming()
      : this.#handleOne();
    // /next failed (the Runtime API answered 500, or is gone): the environment is over.
    once.catch((err) => {
      console.log(`Unexpected Top Level Error: ${err.toString()}`);
      process.exit(129);
    });
  }

  async #next() {
    const { body, headers } = await this.#api.next();
    const id = headers['lambda-runtime-aws-request-id'];
    if (!id) throw new Error('invocation id is missing or invalid');
    this.#requestId = id;
    this.#answered = false;
    setRequestId(id);
    return { id, body, headers };
  }

  // -- posting; each one ends the invocation and goes back to /next --

  // The next GET /next leaves in the same write as the post (HTTP/1.1 pipelining): lambdad
  // holds its 202 and sends it with the next event, so the worker wakes once per invocation and
  // the event does not wait for a round trip after the answer. As on AWS, what the handler left
  // running (a timer) runs once the next event has arrived.

  #postResult(id, body, contentType) {
    if (this.#exiting) return;
    this.#answered = true;
    if (body.length > PIPELINED_MAX) {
      // Not pipelined: the Runtime API refuses an answer over 6 MB by closing the connection
      // mid-body, which would take the /next behind it down too.
      this.#api.postResponse(id, body, contentType).then((status) => {
        if (status >= 200 && status < 300) this.#scheduleNext();
        else this.#failInvocation(id, postFailed(`Http response code: ${status}.`));
      }, (err) => this.#failInvocation(id, postFailed(err.message)));
      return;
    }
    const posted = this.#api.together(() => {
      const post = this.#api.postResponse(id, body, contentType);
      this.#askNext();
      return post;
    });
    // The /next is already on its way: a refused post is only logged.
    posted.then((status) => {
      if (status < 200 || status >= 300) {
        logError('Invoke Error', postFailed(`Http response code: ${status}.`));
      }
    }, (err) => logError('Invoke Error', postFailed(err.message)));
  }

  #postFailure(id, error) {
    if (this.#exiting) return;
    this.#answered = true;
    this.#api.together(() => {
      this.#api.postError(id, toRapidResponse(error)).catch((err) => {
        process.stderr.write(`lambdad runtime: cannot reach the Runtime API: ${err.message}\n`);
        process.exit(1);
      });
      this.#askNext();
    });
  }

  #failInvocation(id, error) {
    logError('Invoke Error', error);
    this.#postFailure(id, error);
  }

  // -- one buffered invocation --

  async #handleOne() {
    const { id, body, headers } = await this.#next();
    const { isAsync } = this.#fn;

    let waitsForEmptyEventLoop = true;
    let answered = false; // a result was sent (or the event loop ran dry)
    let finished = false; // one of callback / done / succeed / fail has returned

    const complete = (result) => {
      if (answered) {
        console.error('Invocation has already been reported as done. Cannot call complete ' +
          'more than once per invocation.');
        return;
      }
      answered = true;
      this.#postResult(id, serialise(result));
    };
    const callback = (err, result) => {
      this.#whenEventLoopEmpty = noop;
      if (err !== undefined && err !== null) this.#failInvocation(id, err);
      else if (!waitsForEmptyEventLoop) complete(result);
      else this.#whenEventLoopEmpty = () => setImmediate(() => complete(result));
    };
    const done = (err, result) => {
      this.#whenEventLoopEmpty = noop;
      if (err !== undefined && err !== null) this.#failInvocation(id, err);
      else complete(result);
    };
    const firstOnly = (fn) => function (...args) {
      if (!finished) {
        fn(...args);
        finished = true;
      }
    };
    const context = {
      get callbackWaitsForEmptyEventLoop() {
        return waitsForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value) {
        waitsForEmptyEventLoop = value;
      },
      succeed: firstOnly((result) => done(null, result)),
      fail: firstOnly((err) => (err === undefined || err === null ? done('handled')
        : done(err, null))),
      done: firstOnly(done),
    };
    const userCallback = firstOnly(callback);

    try {
      // Nothing left to run and no answer: null for a plain handler, NodeJsExit for an async one.
      this.#whenEventLoopEmpty = () => {
        answered = true;
        if (isAsync) this.#failInvocation(id, new NodeJsExit());
        else this.#postResult(id, 'null');
      };
      const event = JSON.parse(body);
      forwardTraceId(headers);
      Object.assign(context, invocationFields(headers));
      const result = this.handler(event, context, userCallback);
      if (isPromise(result)) result.then(context.succeed, context.fail).catch(context.fail);
    } catch (err) {
      userCallback(err);
    }
  }

  // -- one streaming invocation (buffered: see streaming.cjs) --

  async #handleOneStreaming() {
    const { id, body, headers } = await this.#next();
    const { highWaterMark } = this.#fn;
    let over = false;
    const fail = (err) => {
      if (over) return;
      over = true;
      this.#whenEventLoopEmpty = noop;
      this.#failInvocation(id, err);
    };
    const stream = bufferedResponseStream(highWaterMark);
    try {
      this.#whenEventLoopEmpty = () => fail(new NodeJsExit());
      const event = JSON.parse(body);
      forwardTraceId(headers);
      const context = invocationFields(headers);
      const pending = this.handler(event, stream, context);
      if (!isPromise(pending)) return fail('Streaming does not support non-async handlers.');
      const result = await pending;
      if (result !== undefined) console.warn('Streaming handlers ignore return values.');
      if (!stream.writableEnded) return fail('Response stream is not finished.');
      if (!stream.writableFinished) await new Promise((resolve) => stream.once('finish', resolve));
      if (over) return;
      over = true;
      this.#whenEventLoopEmpty = noop;
      this.#postResult(id, stream.body(), stream.contentType);
    } catch (err) {
      fail(err);
    }
  }
}

module.exports = { Runtime };
