// Response-streaming handlers (`awslambda.streamifyResponse(async (event, responseStream,
// context) => ...)`): lambdad answers them the way Lambda answers a streaming function called
// through the plain Invoke API: the stream is buffered and posted as one response, with the
// content type the handler set.

'use strict';

const { MalformedStreamingHandler } = require('./errors.cjs');

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const HTTP_INTEGRATION_TYPE = 'application/vnd.awslambda.http-integration-response';

/** Puts `awslambda` on globalThis as AWS does (unless AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA). */
function installAwsLambdaGlobal(env = process.env) {
  const off = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === '1' || off === 'true') return;
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        handler[HIGH_WATER_MARK] = parseInt(options.highWaterMark, 10);
      }
      return handler;
    },
    HttpResponseStream,
  };
}

/** STREAM_RESPONSE for a streamified handler, else false. */
function streamingMode(handler) {
  const mode = handler[STREAMING];
  if (mode === undefined || mode === null || mode === false) return false;
  if (mode === STREAM_RESPONSE) return STREAM_RESPONSE;
  throw new MalformedStreamingHandler('Only response streaming is supported.');
}

/** The highWaterMark given to streamifyResponse, if any. */
function streamingHighWaterMark(handler) {
  const mark = parseInt(handler[HIGH_WATER_MARK], 10);
  return Number.isNaN(mark) ? undefined : mark;
}

/** Function URL responses: a JSON prelude and 8 NUL bytes before the body. */
class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION_TYPE);
    const head = JSON.stringify(prelude);
    stream.beforeFirstWrite = (write) => {
      write(head);
      write(new Uint8Array(8));
    };
    return stream;
  }
}

/** A Writable that keeps what is written; `body()` is all of it, `contentType` what was set. */
function bufferedResponseStream(highWaterMark) {
  const { Writable } = require('node:stream');
  const chunks = [];
  let started = false;
  const keep = (chunk) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const stream = new Writable({
    highWaterMark,
    write(chunk, _encoding, done) {
      if (!started) {
        started = true;
        stream.beforeFirstWrite?.(keep);
      }
      keep(chunk);
      done();
    },
  });
  stream.contentType = 'application/octet-stream';
  stream.setContentType = (type) => {
    if (started) throw new Error('Content type must be set before the first write.');
    stream.contentType = type;
  };
  stream.body = () => Buffer.concat(chunks);
  return stream;
}

module.exports = {
  STREAM_RESPONSE, installAwsLambdaGlobal, streamingMode, streamingHighWaterMark,
  HttpResponseStream, bufferedResponseStream,
};
