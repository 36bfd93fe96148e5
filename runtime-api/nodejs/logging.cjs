// console.* as AWS's Node.js runtime writes it to stdout, one line per call:
//   Text (default): <ISO time>\t<request id>\t<LEVEL>\t<util.format(message, ...params)>
//   JSON (AWS_LAMBDA_LOG_FORMAT=JSON): {"timestamp","level","requestId","message"[,error fields]}
// A message's newlines become '\r' so that it stays one log event. The request id is the current
// invocation's, `undefined` before the first one (and the last one's between invocations).
// AWS_LAMBDA_LOG_LEVEL (TRACE … FATAL) silences the levels below it.

'use strict';

const { format } = require('node:util');
const { intoError, toFormatted } = require('./errors.cjs');

// Where AWS's runtime keeps the request id, so that code which looks there finds it.
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');

function setRequestId(id) {
  globalThis[REQUEST_ID] = id;
}

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };

function writeLine(line) {
  process.stdout.write((line.includes('\n') ? line.replaceAll('\n', '\r') : line) + '\n');
}

function textLogger(level) {
  return (message, ...params) => {
    writeLine(`${new Date().toISOString()}\t${globalThis[REQUEST_ID]}\t${level}\t` +
      format(message, ...params));
  };
}

// JSON format: errors as {errorType, errorMessage, stackTrace, ...own properties}.
function jsonErrorReplacer(_key, value) {
  if (!(value instanceof Error)) return value;
  return Object.assign({
    errorType: value?.constructor?.name ?? 'UnknownError',
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
  }, value);
}

function jsonLine(level, params) {
  const entry = {
    timestamp: new Date().toISOString(),
    level,
    requestId: globalThis[REQUEST_ID],
  };
  if (params.length === 1) {
    entry.message = params[0];
    try {
      return JSON.stringify(entry, jsonErrorReplacer);
    } catch {
      entry.message = format(entry.message);
      return JSON.stringify(entry);
    }
  }
  entry.message = format(...params);
  const error = params.find((p) => p instanceof Error);
  if (error) {
    entry.errorType = error?.constructor?.name ?? 'UnknownError';
    entry.errorMessage = error.message;
    entry.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(entry);
}

function jsonLogger(level) {
  return (message, ...params) => writeLine(jsonLine(level, [message, ...params]));
}

let json = false;

/** Replaces console.trace/debug/info/log/warn/error and adds console.fatal. */
function patchConsole(env = process.env) {
  json = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const logger = json ? jsonLogger : textLogger;
  const threshold = LEVELS[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase()] ?? LEVELS.TRACE;
  const off = () => {};
  const method = (level) => (LEVELS[level] >= threshold ? logger(level) : off);
  console.trace = method('TRACE');
  console.debug = method('DEBUG');
  console.info = method('INFO');
  console.log = console.info;
  console.warn = method('WARN');
  console.error = method('ERROR');
  console.fatal = logger('FATAL');
}

/** "Invoke Error", "Uncaught Exception", ...: the label and the error JSON at ERROR level. */
function logError(label, error) {
  if (json) console.error(intoError(error));
  else console.error(label, toFormatted(intoError(error)));
}

module.exports = { setRequestId, patchConsole, logError };
