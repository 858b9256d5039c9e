// The ClickStream SDK (`/sdk.js`) on a test page in headless Chromium, against a running
// clickwire (CLICKWIRE_URL, WEBSITE_KEY; screenshots into OUT_DIR). Visitor A clicks,
// scrolls, fills and submits a form, leaves another half-filled, navigates with pushState,
// tracks, identifies and reloads; visitor B only loads the page in a fresh context;
// visitor C is on an opt-in page and consents half way; visitor D hides navigator.webdriver.
// Prints one JSON object: the ids and what the test must find in the store.
import { createHash } from 'node:crypto';
import { env, launch, newContext, serve, until } from './harness.mjs';

const base = env('CLICKWIRE_URL');
const key = env('WEBSITE_KEY');
const out = env('OUT_DIR');
const EMAIL = '  Jane.Doe@Example.COM ';
const DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const page = (consent) => `<!doctype html>
<html><head><meta charset="utf-8"><title>SDK test page</title>
<script src="${base}/sdk.js" data-key="${key}"${consent ? ` data-consent="${consent}"` : ''} async></script>
<style>body{margin:0;font:16px sans-serif} .tall{height:3200px;background:linear-gradient(#fff,#cde)}</style>
</head><body>
<nav><a id="home" href="#top">Home</a> <span class="promo" data-track="1">Mail jane@example.com or call +1 (555) 123-4567</span></nav>
<button id="buy">  Buy   now </button>
<p>Not captured: <span id="plain">plain text</span></p>
<form id="signup" action="/never">
  <input name="name" placeholder="Name"> <input name="email" type="email" placeholder="Email">
  <input name="phone" type="tel" placeholder="Phone"> <input type="hidden" name="token" value="t">
  <button type="submit" id="send">Sign up</button>
</form>
<form name="newsletter"><input name="nl_email" type="email"></form>
<div class="tall"></div>
<footer id="end">end</footer>
<script>
  document.getElementById('signup').addEventListener('submit', (e) => e.preventDefault());
</script>
</body></html>`;

const site = await serve({
  '/shop/*': { type: 'text/html', body: page() },
  '/consent/': { type: 'text/html', body: page('opt-in') },
});
const browser = await launch();
const report = { sdk: 'clickstream', origin: site.origin };

/** Loads `path` in `context` and waits for the SDK. */
async function open(context, path) {
  const tab = await context.newPage();
  await tab.goto(site.origin + path);
  await tab.waitForFunction(() => window.clickwire && window.clickwire.version);
  return tab;
}

/** Counts the requests a tab sends to the collector, and their status. */
function watch(tab) {
  const seen = { requests: 0, answered: [] };
  tab.on('request', (r) => { if (r.url().startsWith(`${base}/v1/events`)) seen.requests++; });
  tab.on('response', (r) => { if (r.url().startsWith(`${base}/v1/events`)) seen.answered.push(r.status()); });
  return seen;
}

try {
  // --- visitor A -------------------------------------------------------------------
  const a = await newContext(browser, { userAgent: DESKTOP_UA }); // webdriver is its one tell
  const tab = await open(a, '/shop/');
  const seenA = watch(tab);
  report.webdriver = await tab.evaluate(() => navigator.webdriver);
  report.a = { visitorId: await tab.evaluate(() => clickwire.getVisitorId()), sessionId: await tab.evaluate(() => clickwire.getSessionId()) };
  await tab.click('#buy');
  await tab.click('.promo');
  await tab.click('#plain');
  for (let i = 0; i < 12; i++) {
    await tab.mouse.wheel(0, 300);
    await tab.waitForTimeout(60);
  }
  await tab.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await until(() => tab.evaluate(() => window.scrollY > 0), 5000, 'the page to scroll');
  await tab.waitForTimeout(300); // the SDK samples scroll depth at most every 150 ms
  await tab.evaluate(() => window.scrollTo(0, 0));
  await tab.click('input[name=name]');
  await tab.keyboard.type('Jane');
  await tab.click('input[name=email]');
  await tab.keyboard.type('jane@example.com');
  await tab.click('#plain'); // focus leaves the form: blur
  await tab.click('input[name=name]'); // back in: focus
  await tab.click('#send'); // submit (2 of 3 fields filled)
  await tab.click('input[name=nl_email]');
  await tab.keyboard.type('x'); // begun, never sent: abandoned on the route change
  await tab.evaluate(() => clickwire.trackEvent('plan_selected', { category: 'pricing', value: 49, label: 'pro', tier: 'gold' }));
  report.hem = createHash('sha256').update(EMAIL.trim().toLowerCase()).digest('hex');
  await tab.evaluate((email) => clickwire.identify(email), EMAIL);
  await tab.evaluate(() => history.pushState({}, '', '/shop/checkout?step=2'));
  await tab.evaluate(() => history.replaceState({}, '', '/shop/checkout?step=2')); // same URL: no pageview
  await tab.evaluate(() => history.pushState({}, '', '/shop/thanks'));
  await tab.goBack(); // popstate back to /shop/checkout?step=2
  await until(() => tab.evaluate(() => location.pathname === '/shop/checkout'), 5000, 'popstate');
  await tab.screenshot({ path: `${out}/sdk-page-desktop.png`, fullPage: false });
  await tab.evaluate(() => clickwire.flush());
  // The reload's pagehide sends what is queued with sendBeacon; the new page's pageview
  // goes out on the 5 s batch timer.
  await tab.evaluate(() => clickwire.trackEvent('before_reload'));
  // (Chromium does not show the unloading page's beacon to playwright: the store has it.)
  await tab.reload();
  await tab.waitForFunction(() => window.clickwire && window.clickwire.version);
  const timed = tab.waitForRequest((r) => r.url().startsWith(`${base}/v1/events`), { timeout: 15_000 });
  report.afterReload = { visitorId: await tab.evaluate(() => clickwire.getVisitorId()), sessionId: await tab.evaluate(() => clickwire.getSessionId()), path: await tab.evaluate(() => location.pathname) };
  await timed;
  // (A beacon sent as the page unloads may never show its answer here.)
  await until(() => seenA.answered.length >= seenA.requests, 3_000).catch(() => {});
  report.a.statuses = seenA.answered;
  // The signals helper reads this visitor's snapshot.
  report.a.signals = await tab.evaluate(() => new Promise((ok) => {
    const stop = clickwire.onVisitor((v) => { stop(); ok(v); }, 100);
  }));
  await tab.setViewportSize({ width: 390, height: 844 });
  await tab.screenshot({ path: `${out}/sdk-page-phone.png` });

  // --- visitor B: a fresh context is a new visitor ----------------------------------------
  const b = await newContext(browser);
  const tabB = await open(b, '/shop/');
  report.b = { visitorId: await tabB.evaluate(() => clickwire.getVisitorId()) };
  await tabB.evaluate(() => clickwire.flush());

  // --- visitor C: opt-in preset; nothing leaves before consent ------------------------------
  const c = await newContext(browser);
  const tabC = await open(c, '/consent/');
  const seenC = watch(tabC);
  await tabC.click('#buy');
  await tabC.evaluate(() => clickwire.trackEvent('before_consent'));
  await tabC.evaluate(() => clickwire.flush());
  await tabC.waitForTimeout(5_500); // one whole batch interval
  report.c = {
    requestsBeforeConsent: seenC.requests,
    cookiesBeforeConsent: (await c.cookies()).map((k) => k.name),
    visitorIdBeforeConsent: await tabC.evaluate(() => clickwire.getVisitorId()),
  };
  await tabC.evaluate(() => clickwire.setConsent({ analytics: true, identityResolution: false, thirdPartySharing: false }));
  await tabC.click('#buy');
  await tabC.evaluate(() => clickwire.identify('c@example.com')); // no identity-resolution consent
  await tabC.evaluate(() => clickwire.flush());
  report.c.visitorId = await tabC.evaluate(() => clickwire.getVisitorId());
  report.c.requestsAfterConsent = seenC.requests;
  await tabC.evaluate(() => clickwire.setConsent({ analytics: false }));
  const before = seenC.requests;
  await tabC.click('#buy');
  await tabC.evaluate(() => clickwire.flush());
  report.c.requestsAfterRevoke = seenC.requests - before;

  // --- visitor D: navigator.webdriver hidden, a desktop user agent ---------------------------
  const dctx = await newContext(browser, { userAgent: DESKTOP_UA });
  await dctx.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }));
  const tabD = await open(dctx, '/shop/');
  report.d = { visitorId: await tabD.evaluate(() => clickwire.getVisitorId()), webdriver: await tabD.evaluate(() => navigator.webdriver) };
  await tabD.evaluate(() => clickwire.flush());
} finally {
  await browser.close();
  await site.close();
}
process.stdout.write(JSON.stringify(report) + '\n');
