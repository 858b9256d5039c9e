/*! clickwire Datafly.js-compatible SDK, served at /datafly.js. Apache-2.0.
 * <script src="https://data.example.com/datafly.js" data-pipeline-key="dk_live_…"></script>
 * A global `datafly` with page, track, identify and group, sent to /v1/p /v1/t /v1/i /v1/g
 * of the script's origin (or datafly.init({pipelineKey, endpoint})). Plain ES2017. */
(function (w, d) {
  'use strict';
  if (w.datafly && w.datafly.version) return;
  var loc = location, tag = d.currentScript, cfg = null, lastPage = null, referrer = d.referrer, userId = null;
  var PATHS = { page: '/v1/p', track: '/v1/t', identify: '/v1/i', group: '/v1/g' };
  var MAX_DELAY = 60000, MAX_TRIES = 8;

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
    var h = Array.from(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  function anonymousId() {
    var m = d.cookie.match(/(?:^|; )_dfid=([^;]*)/), id = m ? decodeURIComponent(m[1]) : uuid();
    d.cookie = '_dfid=' + encodeURIComponent(id) + '; Max-Age=31536000; Path=/; SameSite=Lax' +
      (loc.protocol === 'https:' ? '; Secure' : '');
    return id;
  }
  function pageContext() {
    return { url: loc.href, path: loc.pathname, search: loc.search, title: d.title, referrer: referrer };
  }
  function context() {
    return {
      page: pageContext(), userAgent: navigator.userAgent, locale: navigator.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: { width: screen.width, height: screen.height },
      library: { name: 'datafly.js', version: api.version }
    };
  }

  // 5xx and lost requests are retried from 1 s, doubling to 60 s, with jitter; 429 after its
  // Retry-After; any other 4xx is final (the payload or the key is wrong).
  function send(type, body, tries) {
    tries = tries || 0;
    return fetch(cfg.endpoint + PATHS[type], {
      method: 'POST', keepalive: true, credentials: 'omit',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + cfg.pipelineKey },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok) return r.json();
      if (r.status !== 429 && r.status < 500) return r.json().catch(function () { return {}; }).then(function (e) {
        throw Object.assign(new Error(e.message || 'status ' + r.status), { status: r.status, final: true });
      });
      var after = parseFloat(r.headers.get('Retry-After')) * 1000;
      throw Object.assign(new Error('status ' + r.status), { status: r.status, after: after });
    }).catch(function (err) {
      if (err.final || tries + 1 >= MAX_TRIES) throw err;
      var delay = err.after > 0 ? err.after : Math.min(MAX_DELAY, 1000 * Math.pow(2, tries)) * (0.5 + Math.random() / 2);
      return new Promise(function (ok) { setTimeout(ok, delay); }).then(function () { return send(type, body, tries + 1); });
    });
  }
  function message(type, fields) {
    if (!cfg) return Promise.reject(new Error('datafly.init({pipelineKey}) first'));
    var m = Object.assign({ type: type }, fields, {
      anonymousId: anonymousId(), context: context(),
      timestamp: new Date().toISOString(), messageId: uuid()
    });
    if (!m.userId && userId) m.userId = userId;
    return send(type, m);
  }

  function page(name, properties) {
    if (typeof name === 'object' && name) { properties = name; name = undefined; }
    // After an SPA navigation the page left is the referrer.
    if (lastPage && lastPage !== loc.href) referrer = lastPage;
    lastPage = loc.href;
    var p = pageContext(), fields = { properties: Object.assign(p, properties) };
    if (name) fields.name = String(name);
    return message('page', fields);
  }
  function routed() { if (loc.href.split('#')[0] !== (lastPage || '').split('#')[0]) page(); }

  function init(options) {
    if (cfg) return api;
    cfg = Object.assign({ autoPage: true }, options);
    cfg.endpoint = String(cfg.endpoint || (tag && tag.src ? new URL(tag.src).origin : loc.origin)).replace(/\/+$/, '');
    if (cfg.autoPage) {
      ['pushState', 'replaceState'].forEach(function (name) {
        var original = history[name];
        history[name] = function () { var r = original.apply(this, arguments); routed(); return r; };
      });
      w.addEventListener('popstate', routed);
      page();
    }
    return api;
  }

  var api = w.datafly = {
    version: '1',
    init: init,
    page: page,
    track: function (event, properties) {
      return message('track', { event: String(event), properties: properties || {} });
    },
    identify: function (id, traits) {
      if (typeof id === 'object' && id) { traits = id; id = undefined; }
      if (id != null) userId = String(id);
      return message('identify', { userId: userId, traits: traits || {} });
    },
    group: function (groupId, traits) {
      return message('group', { groupId: String(groupId), traits: traits || {} });
    },
    anonymousId: anonymousId
  };
  var key = tag && tag.getAttribute('data-pipeline-key');
  if (key) init({ pipelineKey: key });
})(window, document);
