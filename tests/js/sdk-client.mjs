// What the SDK client scripts (segment-node-client.mjs, rudder-node-client.mjs) share:
// their command line (--host URL --key WRITE_KEY --run RUN_ID), the five calls each sends
// (identify, track, page, group, alias, with explicit messageIds so the test can find them),
// and the watchdog that ends a run whose SDK never settles.
import { randomUUID } from 'node:crypto';

// Deadline of a whole run, in ms: a last resort if the SDK never settles.
const HARD_DEADLINE_MS = 15000;

// Parses the command line and arms the watchdog; `die(msg, code)` reports as `sdk`.
export function start(sdk) {
  const die = (msg, code = 1) => {
    process.stderr.write(`${sdk}: ${msg}\n`);
    process.exit(code);
  };
  const args = parseArgs(process.argv.slice(2), die);
  const watchdog = setTimeout(
    () => die(`no confirmed delivery within ${HARD_DEADLINE_MS / 1000} s`, 3),
    HARD_DEADLINE_MS,
  );
  return { die, args, messages: calls(args.run), watchdog };
}

function parseArgs(argv, die) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(host|key|run)(?:=(.*))?$/.exec(a);
    if (!m) die(`unknown argument ${a}; usage: --host URL --key WRITE_KEY --run RUN_ID`, 2);
    const v = m[2] !== undefined ? m[2] : argv[++i];
    if (v === undefined || v === '') die(`--${m[1]} needs a value`, 2);
    out[m[1]] = v;
  }
  for (const k of ['host', 'key', 'run']) if (!out[k]) die(`--${k} is required`, 2);
  return out;
}

// The five calls of run `run`, in order. The SDKs keep a messageId they are given.
function calls(run) {
  return [
    { type: 'identify', messageId: randomUUID(), userId: `user_${run}`, anonymousId: `anon_${run}`,
      traits: { email: 'jane@example.com', plan: 'premium' } },
    { type: 'track', messageId: randomUUID(), anonymousId: `anon_${run}`, event: 'Product Added',
      properties: { product_id: 'SKU-1234', price: 79.99 } },
    { type: 'page', messageId: randomUUID(), anonymousId: `anon_${run}`, name: 'Pricing',
      properties: { path: '/pricing', url: 'https://shop.example.com/pricing' } },
    { type: 'group', messageId: randomUUID(), userId: `user_${run}`, groupId: 'org_555',
      traits: { name: 'Acme Corp' } },
    { type: 'alias', messageId: randomUUID(), previousId: `anon_${run}`, userId: `user_${run}` },
  ];
}
