// Datafly.js-compatible `/datafly.js` on a test page in headless Chromium, against a running
// clickwire (CLICKWIRE_URL, PIPELINE_KEY). The page's own load sends a page; the test calls
// identify, track (whose first attempt the browser answers 503, so the SDK retries it),
// group, a pushState navigation (another page) and page with a name. Prints every message
// the browser sent (its JSON body, from the network), and how many attempts /v1/t took.
import { env, launch, newContext, serve, until } from './harness.mjs';

const base = env('CLICKWIRE_URL');
const key = env('PIPELINE_KEY');

const site = await serve({
  '/df/': {
    type: 'text/html',
    body: `<!doctype html><html><head><meta charset="utf-8"><title>Datafly test page</title>
<script src="${base}/datafly.js" data-pipeline-key="${key}"></script></head>
<body><h1>Datafly.js</h1></body></html>`,
  },
});
const browser = await launch();
const sent = [];
let trackAttempts = 0;
try {
  const context = await newContext(browser);
  const tab = await context.newPage();
  const paths = ['/v1/p', '/v1/t', '/v1/i', '/v1/g'];
  tab.on('request', (r) => {
    const url = new URL(r.url());
    if (r.method() === 'POST' && url.origin === base && paths.includes(url.pathname)) {
      if (url.pathname === '/v1/t') trackAttempts++;
      sent.push({ path: url.pathname, auth: r.headers()['authorization'], body: r.postDataJSON() });
    }
  });
  // The first track attempt meets a 503, as from an overloaded gateway.
  let refused = false;
  await tab.route(`${base}/v1/t`, (route) => {
    if (refused || route.request().method() !== 'POST') return route.continue();
    refused = true;
    return route.fulfill({
      status: 503,
      headers: { 'Access-Control-Allow-Origin': site.origin, 'Content-Type': 'application/json' },
      body: '{"error":"overloaded","message":"retry"}',
    });
  });
  await tab.goto(`${site.origin}/df/?utm_source=test`);
  await tab.waitForFunction(() => window.datafly && window.datafly.version);
  await until(() => sent.some((m) => m.path === '/v1/p'), 10_000, 'the page of the load');
  const answers = await tab.evaluate(async () => [
    await datafly.identify('user_df', { email: 'df@example.com', plan: 'pro' }),
    await datafly.track('Product Added', { product_id: 'SKU-1234', price: 79.99, currency: 'USD' }),
    await datafly.group('org_555', { name: 'Acme Corp', employees: 250 }),
  ]);
  await tab.evaluate(() => history.pushState({}, '', '/df/pricing'));
  await tab.evaluate(() => datafly.page('Pricing', { plan: 'pro' }));
  await until(() => sent.filter((m) => m.path === '/v1/p').length >= 3, 10_000, 'three pages');
  const anonymousId = await tab.evaluate(() => datafly.anonymousId());
  const cookie = (await context.cookies()).find((c) => c.name === '_dfid');
  process.stdout.write(JSON.stringify({ sdk: 'datafly.js', answers, anonymousId, cookie: cookie && cookie.value, trackAttempts, sent }) + '\n');
} finally {
  await browser.close();
  await site.close();
}
