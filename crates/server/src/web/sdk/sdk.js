/*! clickwire ClickStream browser SDK, served at /sdk.js. Apache-2.0.
 * <script src="https://t.example.com/sdk.js" data-key="cs_live_…" async></script>
 * or clickwire.init({apiKey, endpoint, consent: 'opt-in'|'opt-out', autoTrackPageviews,
 * autoCapture, flushInterval, signalsInterval, cookieDomain}). Plain ES2017, no build. */
(function (w, d) {
  'use strict';
  if (w.clickwire && w.clickwire.version) return;
  var nav = navigator, loc = location, dE = d.documentElement;
  var DEPTHS = [10, 25, 50, 75, 100], BATCH = 25;
  var YEAR = 31536000, IDLE = 1800; // cookie lifetimes, seconds
  var CAPTURE = 'button,a,input[type=submit],[role=button],[data-track="1"]';
  var FIELDS = 'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]),select,textarea';
  var cfg = null, queue = [], consent = null, page = {}, forms = new Map(), visitorCbs = [];

  function now() { return Date.now(); }
  function rid(prefix) {
    var b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return prefix + Array.from(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  }
  function getCookie(name) {
    var m = d.cookie.match('(?:^|; )' + name + '=([^;]*)');
    return m ? decodeURIComponent(m[1]) : null;
  }
  function setCookie(name, value, maxAge) {
    d.cookie = name + '=' + encodeURIComponent(value) + '; Max-Age=' + maxAge + '; Path=/; SameSite=Lax' +
      (cfg.cookieDomain ? '; Domain=' + cfg.cookieDomain : '') + (loc.protocol === 'https:' ? '; Secure' : '');
  }
  // Both cookies slide: each event renews them, so the session ends after 30 idle minutes.
  // No cookie is written without analytics consent.
  function ids() {
    var v = getCookie('_cs_uid'), s = getCookie('_cs_sid');
    if (!allowed()) return [v, s];
    v = v || rid('vis_');
    s = s || rid('sess_');
    setCookie('_cs_uid', v, YEAR);
    setCookie('_cs_sid', s, IDLE);
    return [v, s];
  }

  // Emails, card and phone numbers and long digit runs never leave the page.
  function scrub(text) {
    return String(text || '').replace(/\s+/g, ' ').trim()
      .replace(/[^\s@]+@[^\s@]+\.[^\s@]+/g, '[email]')
      .replace(/\+?\d[\d\s().-]{6,}\d/g, '[number]')
      .slice(0, 100);
  }
  function esc(s) { return w.CSS && CSS.escape ? CSS.escape(s) : s.replace(/[^\w-]/g, '\\$&'); }
  function selector(el) {
    var parts = [];
    for (; el && el.nodeType === 1 && el !== dE; el = el.parentElement) {
      if (el.id) { parts.unshift('#' + esc(el.id)); break; }
      var part = el.tagName.toLowerCase(), n = 1, sib = el;
      if (part === 'body') { parts.unshift(part); break; }
      while ((sib = sib.previousElementSibling)) if (sib.tagName === el.tagName) n++;
      parts.unshift(part + ':nth-of-type(' + n + ')');
    }
    return parts.join(' > ').slice(0, 256);
  }

  function envelope(type, extra) {
    var id = ids(), e = {
      type: type, visitorId: id[0], sessionId: id[1], timestamp: now(),
      page: { url: loc.href, path: loc.pathname, title: d.title },
      device: {
        userAgent: nav.userAgent.slice(0, 512),
        viewport: { width: w.innerWidth, height: w.innerHeight },
        screen: { width: screen.width, height: screen.height },
        pixelRatio: w.devicePixelRatio, language: nav.language, platform: nav.platform,
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        automation: { webdriver: nav.webdriver === true }
      }
    };
    if (page.referrer) e.page.referrer = page.referrer;
    if (consent) e.consent = Object.assign({}, consent);
    return Object.assign(e, extra);
  }
  function allowed() { return consent ? consent.analytics : !!cfg && cfg.consent !== 'opt-in'; }
  function emit(type, extra, on) {
    if (!cfg || !allowed()) return;
    var e = envelope(type, extra);
    if (on) e.page = on;
    queue.push(e);
    if (queue.length >= BATCH) flush();
  }

  // --- sending -------------------------------------------------------------------------
  function url(withKey) {
    return cfg.endpoint + '/v1/events' + (withKey ? '?key=' + encodeURIComponent(cfg.apiKey) : '');
  }
  // One retry, a second later, of a batch refused for load (5xx, 429) or lost on the way.
  function post(batch, retried) {
    return fetch(url(true), {
      method: 'POST', keepalive: !retried, credentials: 'omit',
      headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ events: batch })
    }).then(function (r) {
      if (r.status >= 500 || r.status === 429) throw new Error('status ' + r.status);
    }).catch(function () {
      if (!retried) return new Promise(function (ok) { setTimeout(ok, 1000); }).then(function () { return post(batch, true); });
    });
  }
  function flush() {
    var sent = [];
    while (queue.length) sent.push(post(queue.splice(0, BATCH)));
    return Promise.all(sent).then(function () {});
  }
  // A page being hidden or left may never run a timer again: the beacon outlives it.
  function beacon(leaving) {
    if (!cfg) return;
    if (leaving) formsLeft();
    while (queue.length) {
      var body = JSON.stringify({ events: queue.splice(0, BATCH) });
      if (!(nav.sendBeacon && nav.sendBeacon(url(true), new Blob([body], { type: 'text/plain' })))) {
        fetch(url(true), { method: 'POST', keepalive: true, body: body, headers: { 'Content-Type': 'text/plain' } });
      }
    }
  }

  // --- pages and scroll ------------------------------------------------------------------
  function pageview() {
    formsLeft();
    var first = !page.url;
    page = { key: loc.pathname + loc.search, depths: {}, start: now(), referrer: page.url || d.referrer, url: loc.href, path: loc.pathname, title: d.title };
    if (cfg.autoTrackPageviews !== false) emit('pageview', first ? timings() : {});
  }
  // The load's own timings, on the first pageview only (an SPA route has none).
  function timings() {
    var t = performance.getEntriesByType && performance.getEntriesByType('navigation')[0], p = {};
    var fcp = performance.getEntriesByName && performance.getEntriesByName('first-contentful-paint')[0];
    if (!t) return {};
    if (t.loadEventEnd > 0) p.loadTime = Math.round(t.loadEventEnd);
    if (t.domContentLoadedEventEnd > 0) p.domContentLoaded = Math.round(t.domContentLoadedEventEnd);
    if (fcp) p.firstContentfulPaint = Math.round(fcp.startTime);
    return { performance: p };
  }
  function routed() { if (loc.pathname + loc.search !== page.key) pageview(); }
  var scrollTimer = 0;
  function scrolled() {
    if (scrollTimer) return;
    scrollTimer = setTimeout(function () {
      scrollTimer = 0;
      var height = Math.max(dE.scrollHeight, d.body ? d.body.scrollHeight : 0);
      var depth = height <= 0 ? 100 : Math.min(100, (w.scrollY + w.innerHeight) / height * 100);
      DEPTHS.forEach(function (mark) {
        if (depth + 0.5 >= mark && !page.depths[mark]) {
          page.depths[mark] = 1;
          emit('scroll', { depth: mark, timeOnPage: now() - page.start });
        }
      });
    }, 150);
  }

  // --- clicks --------------------------------------------------------------------------
  function trackClick(el, ev) {
    var r = el.getBoundingClientRect(), docW = dE.scrollWidth, docH = dE.scrollHeight;
    var x = ev ? ev.clientX : r.left + r.width / 2, y = ev ? ev.clientY : r.top + r.height / 2;
    var px = x + w.scrollX, py = y + w.scrollY;
    var text = el.tagName === 'INPUT' ? el.value : el.innerText || el.textContent;
    emit('click', { element: {
      selector: selector(el), text: scrub(text), x: Math.round(x), y: Math.round(y),
      pageX: Math.round(px), pageY: Math.round(py),
      normX: Math.min(1, Math.max(0, px / (docW || 1))), normY: Math.min(1, Math.max(0, py / (docH || 1))),
      viewportWidth: w.innerWidth, viewportHeight: w.innerHeight, docWidth: docW, docHeight: docH
    } });
  }
  function clicked(ev) {
    var el = ev.isTrusted && ev.target.closest && ev.target.closest(CAPTURE);
    if (el) trackClick(el, ev);
  }

  // --- forms: counts and rates, never values -------------------------------------------------
  function formEvent(form, action, on) {
    var fields = Array.from(form.querySelectorAll(FIELDS)), filled = 0, names = {};
    fields.forEach(function (f) {
      if (f.type === 'checkbox' || f.type === 'radio' ? f.checked : f.value !== '') filled++;
      names[(f.name || f.id || f.type || '').toLowerCase()] = f.type || f.tagName.toLowerCase();
    });
    var keys = Object.keys(names).join(' ');
    emit('form', {
      action: action, formId: form.id || form.getAttribute('name') || selector(form), formSelector: selector(form),
      fieldCount: fields.length, completion_rate: fields.length ? Math.round(filled / fields.length * 100) : 0,
      detected_email: /mail/.test(keys) || /email/.test(JSON.stringify(names)),
      detected_phone: /phone|tel/.test(keys) || /"tel"/.test(JSON.stringify(names)),
      detected_name: /name/.test(keys)
    }, on);
  }
  function formOf(ev) {
    var f = ev.target && ev.target.form;
    return f && ev.target.matches(FIELDS) ? f : null;
  }
  function focused(ev) {
    var f = formOf(ev);
    if (!f || forms.has(f) && forms.get(f).inside) return;
    forms.set(f, { inside: true, submitted: forms.has(f) && forms.get(f).submitted });
    formEvent(f, 'focus');
  }
  function blurred(ev) {
    var f = formOf(ev), next = ev.relatedTarget;
    if (!f || !forms.has(f) || next && f.contains(next)) return;
    forms.get(f).inside = false;
    formEvent(f, 'blur');
  }
  function submitted(ev) {
    var f = ev.target;
    if (!(f instanceof HTMLFormElement)) return;
    forms.set(f, { inside: false, submitted: true });
    formEvent(f, 'submit');
  }
  // Leaving a page (or a route) with a form begun and not sent is an abandon, of the page left.
  function formsLeft() {
    var left = page.url && { url: page.url, path: page.path, title: page.title };
    forms.forEach(function (state, f) { if (!state.submitted) formEvent(f, 'abandon', left); });
    forms.clear();
  }

  // --- identity, consent, signals ---------------------------------------------------------
  function identify(email) {
    if (consent && consent.identityResolution === false || !consent && cfg.consent === 'opt-in') return Promise.resolve(false);
    var data = new TextEncoder().encode(String(email).trim().toLowerCase());
    return crypto.subtle.digest('SHA-256', data).then(function (hash) {
      var hem = Array.from(new Uint8Array(hash), function (x) { return (x + 256).toString(16).slice(1); }).join('');
      emit('identify', { hem: hem });
      return true;
    });
  }
  function setConsent(c) {
    if (!cfg) return;
    var next = {
      analytics: !!c.analytics, identityResolution: !!c.identityResolution,
      thirdPartySharing: !!c.thirdPartySharing, timestamp: now()
    };
    var before = consent || { analytics: allowed() }, hadPage = before.analytics && page.key;
    consent = next;
    setCookie('_cs_consent', JSON.stringify(next), YEAR);
    var changed = ['analytics', 'identityResolution', 'thirdPartySharing'].some(function (k) { return !!before[k] !== next[k]; });
    // Nothing leaves without analytics consent, a revocation included.
    if (!changed || !next.analytics) { if (!next.analytics) queue = []; return; }
    queue.push(envelope('_consent_transition', { page: { url: loc.origin + loc.pathname, path: loc.pathname, title: '' } }));
    if (!hadPage && page.key) emit('pageview', {});
    flush();
  }
  function getVisitor() {
    var id = cfg && ids()[0];
    if (!id) return Promise.resolve(null);
    return fetch(cfg.endpoint + '/v1/signals/' + encodeURIComponent(id), { headers: { 'X-API-Key': cfg.apiKey }, credentials: 'omit' })
      .then(function (r) { return r.ok ? r.json() : null; });
  }
  function onVisitor(cb, every) {
    var last = '', stopped = false;
    (function poll() {
      if (stopped) return;
      getVisitor().catch(function () { return null; }).then(function (v) {
        var mark = JSON.stringify(v);
        if (v && mark !== last) { last = mark; cb(v); }
        if (!stopped) setTimeout(poll, Math.max(250, every || cfg.signalsInterval || 2000));
      });
    })();
    return function () { stopped = true; };
  }

  // --- start ---------------------------------------------------------------------------
  function init(options) {
    if (cfg) return api;
    cfg = Object.assign({ flushInterval: 5000 }, options);
    cfg.endpoint = String(cfg.endpoint || script.origin).replace(/\/+$/, '');
    try { consent = JSON.parse(getCookie('_cs_consent')); } catch (e) { consent = null; }
    ['pushState', 'replaceState'].forEach(function (name) {
      var original = history[name];
      history[name] = function () { var r = original.apply(this, arguments); routed(); return r; };
    });
    w.addEventListener('popstate', routed);
    w.addEventListener('scroll', scrolled, { passive: true });
    if (cfg.autoCapture !== false) d.addEventListener('click', clicked, true);
    d.addEventListener('focusin', focused, true);
    d.addEventListener('focusout', blurred, true);
    d.addEventListener('submit', submitted, true);
    w.addEventListener('pagehide', function () { beacon(true); });
    d.addEventListener('visibilitychange', function () { if (d.visibilityState === 'hidden') beacon(false); });
    setInterval(flush, cfg.flushInterval);
    pageview();
    return api;
  }
  var tag = d.currentScript, script = { origin: tag && tag.src ? new URL(tag.src).origin : loc.origin };
  var api = w.clickwire = {
    version: '1', init: init, flush: flush, identify: identify, setConsent: setConsent,
    // The contract's own fields are taken from props in the types the collector checks,
    // so that one odd property never costs the whole batch.
    trackEvent: function (name, props) {
      props = props || {};
      var extra = { name: String(name) || 'event', properties: props };
      ['category', 'action', 'label'].forEach(function (k) { if (props[k] != null) extra[k] = String(props[k]).slice(0, 1365); });
      if (typeof props.value === 'number' && isFinite(props.value)) extra.value = props.value;
      emit('custom', extra);
    },
    trackClick: function (el) { trackClick(el); },
    getVisitor: getVisitor, onVisitor: onVisitor,
    getVisitorId: function () { return ids()[0]; },
    getSessionId: function () { return ids()[1]; }
  };
  if (tag && tag.dataset.key) init({ apiKey: tag.dataset.key, consent: tag.dataset.consent });
})(window, document);
