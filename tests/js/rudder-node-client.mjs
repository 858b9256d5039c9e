#!/usr/bin/env node
// Sends identify, track, page, group and alias to a RudderStack/Segment-compatible
// endpoint through the real @rudderstack/rudder-sdk-node SDK (its in-memory queue,
// axios + axios-retry, gzip on as by default), then flush()es. Exits 0 only when the SDK
// reports every message delivered.
//
//   node tests/js/rudder-node-client.mjs --host http://127.0.0.1:8080 --key WRITE_KEY --run RUN_ID
//
// stdout: one JSON object {"sdk", "version", "messages": [{type, messageId, ...fields}]}.
// stderr + non-zero exit on any delivery error; the SDK's retries are capped so a failing
// or silent server ends the run within about 15 s.
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import Analytics from '@rudderstack/rudder-sdk-node';

import { start } from './sdk-client.mjs';

const require = createRequire(import.meta.url);
const SDK = '@rudderstack/rudder-sdk-node';
const { version: VERSION } = require(`${SDK}/package.json`);

const { die, args, messages, watchdog } = start(SDK);

const errors = [];
const client = new Analytics(args.key, {
  dataPlaneUrl: args.host,
  flushAt: 20, // > 5 (the SDK always sends the very first call at once, on its own)
  flushInterval: 1000,
  logLevel: 'error', // 'info' and below go to stdout through console.info/log
  timeout: 3000, // per request; the SDK sets none by default
  retryCount: 2, // default 3
  // The default delay, axios-retry's exponentialDelay, waits as long as any Retry-After
  // asks, uncapped; keep the wait short so a failing server ends the run quickly.
  axiosRetryConfig: { retryDelay: (n) => Math.min(200 * 2 ** n, 1000) },
  errorHandler: (err) => {
    const status = err && err.response ? `HTTP ${err.response.status}` : (err && err.code) || 'error';
    errors.push(`${status}: ${err && err.message}`);
  },
});

// Each message's callback gets (err, data): data is the request body the SDK sent
// (a gzip Buffer when gzip is on), which tells which messageIds really went out.
const settled = new Map();
const sentIds = new Set();
function onSettled(m) {
  return (err, data) => {
    settled.set(m.messageId, err);
    try {
      const body = Buffer.isBuffer(data) ? JSON.parse(gunzipSync(data).toString('utf8')) : data;
      for (const ev of (body && body.batch) || []) sentIds.add(ev.messageId);
    } catch (e) {
      errors.push(`could not read the SDK's request body: ${e}`);
    }
  };
}

try {
  for (const m of messages) {
    const { type, ...params } = m;
    client[type](params, onSettled(m));
  }
  // flush() sends at most flushAt messages per call; loop until the queue is empty.
  do {
    await client.flush();
  } while (client.queue && client.queue.length > 0);
  // The per-message callbacks run on setImmediate after each request settles.
  await new Promise((resolve) => setImmediate(resolve));
} catch (e) {
  errors.push(`flush failed: ${e && e.message}`);
}
clearTimeout(watchdog);

const problems = [...errors];
for (const m of messages) {
  if (!settled.has(m.messageId)) problems.push(`${m.type} ${m.messageId}: never settled`);
  else if (settled.get(m.messageId)) {
    const err = settled.get(m.messageId);
    problems.push(`${m.type} ${m.messageId}: ${err instanceof Error ? err.message : String(err)}`);
  } else if (!sentIds.has(m.messageId)) problems.push(`${m.type} ${m.messageId}: not in any request the SDK sent`);
}
if (problems.length) die(`delivery failed:\n  ${[...new Set(problems)].join('\n  ')}`);

process.stdout.write(`${JSON.stringify({ sdk: SDK, version: VERSION, messages })}\n`, () => process.exit(0));
