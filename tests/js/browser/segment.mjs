// `@segment/analytics-next` (the npm package's browser build) on a test page in headless
// Chromium, pointed at a running clickwire (CLICKWIRE_URL, PIPELINE_KEY) with `cdnURL`: it
// loads its settings from /v1/projects/{writeKey}/settings, whose `Segment.io` integration
// sends identify, track and page to clickwire. The package's own lazy chunks are served by
// the test page's origin. Prints the settings it got and every message it reports sent.
import { fileURLToPath } from 'node:url';
import { env, launch, newContext, serve } from './harness.mjs';

const base = env('CLICKWIRE_URL');
const key = env('PIPELINE_KEY');
const umd = fileURLToPath(new URL('../node_modules/@segment/analytics-next/dist/umd', import.meta.url));

const site = await serve({
  '/seg/': {
    type: 'text/html',
    body: `<!doctype html><html><head><meta charset="utf-8"><title>Segment test page</title>
<script>window.analytics = { _cdn: location.origin };</script>
<script src="/analytics-next/bundles/index.js"></script></head>
<body><h1>analytics-next</h1></body></html>`,
  },
  '/analytics-next/bundles/*': { dir: umd },
});
const browser = await launch();
try {
  const context = await newContext(browser);
  const tab = await context.newPage();
  const failures = [];
  tab.on('requestfailed', (r) => failures.push(`${r.url()} ${r.failure() && r.failure().errorText}`));
  const settings = tab.waitForResponse((r) => r.url().includes('/settings'));
  await tab.goto(`${site.origin}/seg/`);
  await tab.waitForFunction(() => window.AnalyticsNext);
  const sent = await tab.evaluate(async ({ base, key }) => {
    const [analytics] = await AnalyticsNext.AnalyticsBrowser.load(
      { writeKey: key, cdnURL: base },
      { retryQueue: true },
    );
    const calls = [
      await analytics.identify('user_seg', { email: 'seg@example.com', plan: 'pro' }),
      await analytics.track('Signed Up', { plan: 'pro', trial: true }),
      await analytics.page('Docs', 'Install', { section: 'sdk' }),
    ];
    return calls.map((ctx) => ({ event: ctx.event, failed: ctx.failedDelivery() ? String(ctx.failedDelivery().reason) : null }));
  }, { base, key });
  const got = await settings;
  process.stdout.write(JSON.stringify({
    sdk: 'analytics-next',
    settingsStatus: got.status(),
    settings: await got.json(),
    failures,
    sent,
  }) + '\n');
} finally {
  await browser.close();
  await site.close();
}
