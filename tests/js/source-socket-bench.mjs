#!/usr/bin/env node
// Benchmark client of the inbound WebSocket source (`GET /v1/ws/source/:id?token=`): opens
// N sockets, keeps W messages in flight on each (pipelining: the next message goes out as
// soon as an ack comes back), and counts the acks received during the measured window.
//
//   node tests/js/source-socket-bench.mjs --url 'ws://127.0.0.1:8080/v1/ws/source/src_…?token=…' \
//     [--sockets 1] [--window 200] [--warmup 1] [--duration 10]
//
// stdout: one JSON object {"sockets","window","duration_s","acked","acks_per_s","errors"}.
import WebSocket from 'ws';

function parseArgs(argv) {
  const out = { sockets: 1, window: 200, warmup: 1, duration: 10 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    out[name] = name === 'url' ? value : Number(value);
  }
  if (!out.url) throw new Error('--url is required');
  return out;
}

const args = parseArgs(process.argv.slice(2));
const body = JSON.stringify({ type: 'order.created', data: { id: 'ord_123', amount: 4999, currency: 'EUR' } });
let measuring = false;
let acked = 0;
let errors = 0;

function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(args.url);
    ws.on('open', () => {
      for (let i = 0; i < args.window; i++) ws.send(body);
      resolve(ws);
    });
    ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString());
      if (message.type === 'ack') {
        if (measuring) acked += 1;
        ws.send(body);
      } else if (message.type === 'ping') {
        ws.send('{"type":"pong"}');
      } else {
        errors += 1;
        ws.send(body);
      }
    });
    ws.on('error', reject);
  });
}

const sockets = await Promise.all(Array.from({ length: args.sockets }, open));
await new Promise((r) => setTimeout(r, args.warmup * 1000));
measuring = true;
const started = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, args.duration * 1000));
measuring = false;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
for (const ws of sockets) ws.terminate();
process.stdout.write(`${JSON.stringify({
  sockets: args.sockets, window: args.window, duration_s: seconds, acked,
  acks_per_s: Math.round(acked / seconds), errors,
})}\n`, () => process.exit(0));
