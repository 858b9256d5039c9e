// Drives the clickwire dashboard in headless Chromium (playwright-core, Debian's chromium)
// against a running server, as crates/cli/tests/binary/dashboard.rs asks:
//
//   node dashboard.mjs --base http://127.0.0.1:PORT --admin-key K --server-key K --out DIR
//
// It signs in by typing the admin key into the form, posts an event with the server key and
// times how long the page takes to show it, looks the event's visitor up (by keyboard),
// creates a test session in the inspector and sends it a webhook, takes screenshots at
// desktop (1280×800) and phone (390×844) width, signs out, and prints one JSON report on
// stdout. Any failed step exits non-zero with the reason on stderr.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// A run that hangs is ended by this, whatever the step.
const HARD_DEADLINE_MS = 60000;
// The page must show a posted event this fast.
const SHOW_EVENT_MS = 1000;

const die = (msg, code = 1) => {
  process.stderr.write(`dashboard.mjs: ${msg}\n`);
  process.exit(code);
};

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(base|admin-key|server-key|out)$/.exec(argv[i]);
    if (!m) die(`unknown argument ${argv[i]}`, 2);
    out[m[1]] = argv[++i];
  }
  for (const name of ['base', 'admin-key', 'server-key', 'out']) {
    if (!out[name]) die(`--${name} is required`, 2);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const watchdog = setTimeout(() => die(`not done within ${HARD_DEADLINE_MS / 1000} s`, 3), HARD_DEADLINE_MS);

const profile = mkdtempSync(join(tmpdir(), 'clickwire-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

// Console errors other than a failed load (those are in failedResponses, by URL), and
// every answer of 400 or more the page received.
const report = { consoleErrors: [], failedResponses: [] };
let failure = null;
try {
  const page = browser.pages()[0] || (await browser.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      report.consoleErrors.push(msg.text());
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) {
      report.failedResponses.push(`${response.status()} ${new URL(response.url()).pathname}`);
    }
  });
  page.on('pageerror', (err) => report.consoleErrors.push(String(err)));

  // Sign in: the key typed into the form.
  await page.goto(`${args.base}/dashboard`);
  await page.getByLabel('Server or admin key').fill(args['admin-key']);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#board').waitFor({ state: 'visible', timeout: 5000 });
  await page.locator('#link', { hasText: 'live' }).waitFor({ timeout: 5000 });
  report.who = await page.locator('#who').textContent();
  const cookie = (await browser.cookies(args.base)).find((c) => c.name === 'clickwire_session');
  report.cookie = cookie && { httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, secure: cookie.secure };
  report.scriptSeesCookie = await page.evaluate(() => document.cookie.includes('clickwire_session'));

  // An event posted now is on the page within a second, with its visitor.
  const visitor = `vis_dash_${Date.now()}`;
  const event = {
    type: 'pageview',
    visitorId: visitor,
    sessionId: `sess_${visitor}`,
    timestamp: Date.now(),
    page: { url: 'https://shop.example.com/pricing', path: '/pricing', title: 'Pricing' },
    device: {
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
      viewport: { width: 1280, height: 800 },
    },
  };
  const posted = Date.now();
  const answer = await fetch(`${args.base}/v1/events`, {
    method: 'POST',
    headers: { 'X-API-Key': args['server-key'], 'Content-Type': 'application/json' },
    body: JSON.stringify({ events: [event] }),
  });
  if (answer.status !== 202) throw new Error(`POST /v1/events answered ${answer.status}`);
  const row = page.locator('#stream tr.row-events', { hasText: visitor });
  await row.waitFor({ timeout: SHOW_EVENT_MS });
  report.shownAfterMs = Date.now() - posted;
  report.visitor = visitor;
  report.eventId = await row.getAttribute('data-id');

  // The visitor lookup, from the row's visitor button, by keyboard.
  await row.getByRole('button', { name: `Look up visitor ${visitor}` }).focus();
  await page.keyboard.press('Enter');
  await page.locator('#visitor-result').waitFor({ state: 'visible', timeout: 5000 });
  report.lookup = {
    class: await page.locator('#visitor-summary dt:has-text("Class") + dd').textContent(),
    scores: Object.fromEntries(
      await page.locator('#visitor-scores tr').evaluateAll((rows) =>
        rows.map((r) => [r.dataset.score, r.cells[2].textContent || r.cells[1].textContent]),
      ),
    ),
  };
  report.mixShowsHuman = await page.locator('#class-mix', { hasText: 'human' }).count() > 0;
  report.topPageShown = await page.locator('#top-pages', { hasText: '/pricing' }).count() > 0;

  // The test inspector: a new session, and a webhook sent to it shows up live.
  await page.getByRole('button', { name: 'New test session' }).click();
  await page.locator('#test-link', { hasText: 'live' }).waitFor({ timeout: 5000 });
  const hookUrl = (await page.locator('#test-url').textContent()).trim();
  const hooked = await fetch(hookUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Inspector-Test': 'yes' },
    body: JSON.stringify({ order: 'ord_inspected', amount: 4999 }),
  });
  if (hooked.status !== 202) throw new Error(`the webhook to ${hookUrl} answered ${hooked.status}`);
  const capture = page.locator('#test-requests .capture', { hasText: 'ord_inspected' });
  await capture.waitFor({ timeout: 5000 });
  report.testUrl = hookUrl;
  report.capture = await capture.locator('.capture-line').textContent();

  // Screenshots: desktop, then phone width.
  report.screenshots = [join(args.out, 'dashboard-desktop.png'), join(args.out, 'dashboard-phone.png')];
  await page.screenshot({ path: report.screenshots[0], fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => document.querySelector('#eps-chart .uplot').clientWidth <= 390);
  report.phoneOverflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  await page.screenshot({ path: report.screenshots[1], fullPage: true });

  // Sign out: back to the form, and the cookie no longer works.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#sign-in-panel').waitFor({ state: 'visible', timeout: 5000 });
  report.afterSignOut = await page.evaluate(async () => (await fetch('/v1/dashboard/session')).status);
} catch (err) {
  failure = err && err.stack ? err.stack : String(err);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  clearTimeout(watchdog);
}
if (failure) die(`${failure}\nreport so far: ${JSON.stringify(report)}`);
process.stdout.write(JSON.stringify(report) + '\n');
