#!/usr/bin/env node
// Sends identify, track, page, group and alias to a Segment-compatible endpoint through
// the real @segment/analytics-node SDK (its own batching, publisher and fetch client),
// then closeAndFlush()es. Exits 0 only when the SDK reports every message delivered.
//
//   node tests/js/segment-node-client.mjs --host http://127.0.0.1:8080 --key WRITE_KEY --run RUN_ID
//
// stdout: one JSON object {"sdk", "version", "messages": [{type, messageId, ...fields}]}.
// stderr + non-zero exit on any delivery error; the SDK's retries are capped so a failing
// or silent server ends the run within about 15 s.
import { createRequire } from 'node:module';
import { Analytics } from '@segment/analytics-node';

import { start } from './sdk-client.mjs';

const require = createRequire(import.meta.url);
const SDK = '@segment/analytics-node';
const { version: VERSION } = require(`${SDK}/package.json`);

const FLUSH_TIMEOUT_MS = 12000; // closeAndFlush gives up (and aborts retries) after this
const { die, args, messages, watchdog } = start(SDK);

const analytics = new Analytics({
  writeKey: args.key,
  host: args.host,
  path: '/v1/batch',
  flushAt: 20, // > 5: the five calls travel together, sent by closeAndFlush
  flushInterval: 1000,
  maxRetries: 2, // default 10 with 0.5 s..60 s exponential backoff
  httpRequestTimeout: 2500,
  maxTotalBackoffDuration: 10, // seconds; default 12 h
  maxRateLimitDuration: 10, // seconds; default 12 h of obeying 429 Retry-After
});

const errors = [];
const sentIds = new Set(); // messageIds in the request bodies the SDK actually sent
const statuses = [];
analytics.on('http_request', (req) => {
  try {
    for (const ev of JSON.parse(req.body).batch) sentIds.add(ev.messageId);
  } catch (e) {
    errors.push(`could not read the SDK's request body: ${e}`);
  }
});
analytics.on('http_response', (res) => statuses.push(res.status));
analytics.on('error', (e) => {
  errors.push(`${e.code}: ${e.reason instanceof Error ? e.reason.message : String(e.reason)}`);
});

const settled = new Map();
for (const m of messages) {
  const { type, ...params } = m;
  analytics[type](params, (err) => {
    settled.set(m.messageId, err);
  });
}

await analytics.closeAndFlush({ timeout: FLUSH_TIMEOUT_MS });
clearTimeout(watchdog);

const problems = [...errors];
for (const m of messages) {
  if (!settled.has(m.messageId)) problems.push(`${m.type} ${m.messageId}: never settled (flush timed out)`);
  else if (settled.get(m.messageId)) {
    const err = settled.get(m.messageId);
    problems.push(`${m.type} ${m.messageId}: ${err instanceof Error ? err.message : String(err)}`);
  } else if (!sentIds.has(m.messageId)) problems.push(`${m.type} ${m.messageId}: not in any request the SDK sent`);
}
if (problems.length) {
  die(`delivery failed (HTTP statuses seen: ${statuses.join(',') || 'none'}):\n  ${[...new Set(problems)].join('\n  ')}`);
}

process.stdout.write(`${JSON.stringify({ sdk: SDK, version: VERSION, messages })}\n`, () => process.exit(0));
