// examples/signals-feed-subscriber/subscribe.mjs
//
// The Signals Feed contract's example subscriber: pipes the feed to stdout as JSONL.
// Only the feed URL is configurable here (CS_FEED_URL, without the key); everything else
// is the contract's code. Node 22+ has a native WebSocket class; on Node 20/21 it sits
// behind --experimental-websocket, so the script re-runs itself with that flag.
//
//   CS_API_KEY=cs_live_xxxx CS_FEED_URL=ws://127.0.0.1:8080/signals/stream \
//     node examples/signals-feed-subscriber/subscribe.mjs

if (typeof WebSocket === 'undefined') {
  const { spawn } = await import('node:child_process');
  if (process.execArgv.includes('--experimental-websocket')) {
    console.error(`[signals-feed] Node ${process.versions.node} has no WebSocket; use Node 22+`);
    process.exit(1);
  }
  const child = spawn(
    process.execPath,
    ['--experimental-websocket', ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  subscribe();
}

function subscribe() {
  const API_KEY = process.env.CS_API_KEY;
  if (!API_KEY) {
    console.error('set CS_API_KEY to a Scale+ tier key before running this script');
    process.exit(1);
  }

  const FEED_URL = process.env.CS_FEED_URL || 'wss://t.example.com/signals/stream';
  const url = `${FEED_URL}?key=${encodeURIComponent(API_KEY)}`;
  const ws = new WebSocket(url);

  ws.addEventListener('open', () => {
    console.error('[signals-feed] connected');
  });

  ws.addEventListener('message', (event) => {
    let msg;
    try { msg = JSON.parse(event.data); } catch { return; }

    if (msg.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong', timestamp: Date.now() }));
      return;
    }
    if (msg.type === 'hello') {
      console.error('[signals-feed] hello:', msg.message);
      return;
    }
    if (msg.type === 'duration_limit') {
      console.error('[signals-feed] duration limit — reconnect');
      return;
    }
    // Only "event" frames go to stdout as JSONL
    if (msg.type === 'event') {
      process.stdout.write(JSON.stringify(msg) + '\n');
    }
  });

  ws.addEventListener('close', (event) => {
    console.error(`[signals-feed] closed code=${event.code} reason=${event.reason}`);
    process.exit(event.code === 4008 ? 0 : 1);
  });

  ws.addEventListener('error', (err) => {
    console.error('[signals-feed] error', err);
  });
}
