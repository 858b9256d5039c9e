// Shared by the browser tests (crates/cli/tests/binary/browser/): headless Chromium from the
// Debian package driven by playwright-core, and a static page server on a local origin of
// its own (so pages load the scripts cross-origin from clickwire, as a real site does).
//
//   const browser = await launch();
//   const context = await newContext(browser, { viewport: { width: 390, height: 844 } });
//   const site = await serve({ '/': { type: 'text/html', body: '<h1>hi</h1>' } });
//   ... site.origin ... await site.close(); await browser.close();
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

/** The Chromium the test script installs (Debian package `chromium`). */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** The flags that keep Chromium from reaching for the network on a closed machine. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium; playwright gives each launch a fresh temporary profile. */
export function launch(options = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    ...options,
  });
}

/** A fresh context (its own cookies and storage: a new visitor). */
export function newContext(browser, options = {}) {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
}

/**
 * Serves `routes` on 127.0.0.1 at a free port: `{ '/path': { type, body } }` where `body`
 * is a string, a Buffer, or `{ file }` to read from disk; a route ending in `/*` serves
 * files of a folder (`{ dir }`) or the same page for every path under it (`{ type, body }`,
 * for single-page apps). Answers 404 otherwise. Resolves `{ origin, close() }`.
 */
export async function serve(routes) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    try {
      const found = await lookup(routes, path);
      if (!found) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': found.type, 'Cache-Control': 'no-store' }).end(found.body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err));
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

const TYPES = { '.js': 'application/javascript', '.html': 'text/html', '.css': 'text/css', '.json': 'application/json' };

async function lookup(routes, path) {
  const exact = routes[path];
  if (exact) {
    const body = exact.body && exact.body.file ? await readFile(exact.body.file) : exact.body;
    return { type: exact.type, body };
  }
  for (const [pattern, route] of Object.entries(routes)) {
    if (!pattern.endsWith('/*') || !path.startsWith(pattern.slice(0, -1))) continue;
    if (!route.dir) return { type: route.type, body: route.body };
    const name = path.slice(pattern.length - 1);
    if (!name || name.includes('..')) return null;
    const ext = name.slice(name.lastIndexOf('.'));
    return { type: TYPES[ext] || 'application/octet-stream', body: await readFile(`${route.dir}/${name}`) };
  }
  return null;
}

/** The environment value `name`, or a failure saying it is needed. */
export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the Rust test passes it)`);
  return value;
}

/** Resolves once `check()` is truthy (polled every 50 ms), or fails after `ms`. */
export async function until(check, ms = 15_000, what = 'a condition') {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}
