// The clickwire dashboard. Plain script, no build step. It signs in with a key (the server
// answers with an HttpOnly session cookie), then talks to the REST API and to /v1/ws with
// that cookie. Everything the server sends is shown with textContent, never as HTML.
(function () {
  'use strict';

  const WINDOW_SECONDS = 120; // the events-per-second chart's width
  const RECENT_EVENTS = 500; // stored events the mix and top pages are computed from
  const STREAM_ROWS = 200; // rows kept in the live stream table
  const TEST_ROWS = 100; // captures kept in the test inspector

  const $ = (id) => document.getElementById(id);
  const state = {
    socket: null,
    reconnect: null,
    signedIn: false,
    buckets: new Map(), // unix second -> events
    total: 0,
    lastSeq: null,
    recent: [],
    rows: new Map(), // event id -> stream row
    fetching: null,
    chart: null,
    testSocket: null,
  };

  // ---- small helpers -------------------------------------------------------------------

  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (name === 'text') node.textContent = value;
      else if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.firstChild.remove();
  }

  function time(value) {
    const date = value ? new Date(value) : new Date();
    return date.toLocaleTimeString([], { hour12: false });
  }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || 'request failed (' + status + ')');
      this.status = status;
      this.code = body && body.error;
    }
  }

  // Every call of the API: same origin, the session cookie, JSON in and out.
  async function api(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (err) {
      json = null; // not JSON (a proxy's error page): the status says enough
    }
    if (!response.ok) {
      if (response.status === 401 && state.signedIn && !path.startsWith('/v1/dashboard/session')) {
        signedOut('Your session has ended; sign in again.');
      }
      throw new ApiError(response.status, json);
    }
    return json;
  }

  // ---- sign in and out -----------------------------------------------------------------

  async function start() {
    $('sign-in').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', signOut);
    $('visitor-form').addEventListener('submit', lookUpVisitor);
    $('new-test-session').addEventListener('click', newTestSession);
    $('copy-test-url').addEventListener('click', copyTestUrl);
    for (const button of document.querySelectorAll('[data-refresh]')) {
      button.addEventListener('click', () => refreshList(button.dataset.refresh));
    }
    for (const box of document.querySelectorAll('input[name=channel]')) {
      box.addEventListener('change', () => subscribe(box.value, box.checked));
    }
    try {
      signedInAs(await api('GET', '/v1/dashboard/session'));
    } catch (err) {
      showSignIn('');
    }
  }

  async function signIn(event) {
    event.preventDefault();
    const input = $('key');
    const key = input.value.trim();
    $('sign-in-error').textContent = '';
    try {
      const who = await api('POST', '/v1/dashboard/session', { key });
      input.value = '';
      signedInAs(who);
    } catch (err) {
      $('sign-in-error').textContent = err.message;
      input.focus();
    }
  }

  async function signOut() {
    try {
      await api('DELETE', '/v1/dashboard/session');
    } finally {
      signedOut('');
    }
  }

  function signedInAs(who) {
    state.signedIn = true;
    $('sign-in-panel').hidden = true;
    $('board').hidden = false;
    $('sign-out').hidden = false;
    $('who').hidden = false;
    $('who').textContent = who.tenant + ' · ' + who.kind + ' key';
    $('link').hidden = false;
    setupChart();
    connect();
    loadRecent().catch(() => {});
    for (const list of ['sources', 'destinations', 'issues']) refreshList(list);
    document.querySelector('.tabs a').focus();
  }

  function signedOut(message) {
    state.signedIn = false;
    clearTimeout(state.reconnect);
    if (state.socket) state.socket.close(1000);
    state.socket = null;
    if (state.testSocket) state.testSocket.close(1000);
    state.testSocket = null;
    showSignIn(message);
  }

  function showSignIn(message) {
    $('board').hidden = true;
    $('sign-out').hidden = true;
    $('who').hidden = true;
    $('link').hidden = true;
    $('sign-in-panel').hidden = false;
    $('sign-in-error').textContent = message;
    $('key').focus();
  }

  // ---- the dashboard stream ------------------------------------------------------------

  function wsUrl(path) {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
  }

  function connect() {
    const socket = new WebSocket(wsUrl('/v1/ws'));
    state.socket = socket;
    $('link').textContent = 'connecting…';
    socket.addEventListener('message', (message) => onFrame(socket, message));
    socket.addEventListener('close', (close) => {
      if (state.socket !== socket) return;
      state.socket = null;
      $('link').textContent = 'disconnected';
      if (close.code === 4001) return signedOut('The key was revoked; sign in again.');
      if (state.signedIn) state.reconnect = setTimeout(reconnect, 2000);
    });
  }

  // After a drop: reload what was missed, then subscribe again (the stream has no replay).
  async function reconnect() {
    try {
      await api('GET', '/v1/dashboard/session');
    } catch (err) {
      if (err.status === 401) return signedOut('Your session has ended; sign in again.');
      state.reconnect = setTimeout(reconnect, 5000);
      return;
    }
    connect();
    fetchNew();
  }

  function subscribe(channel, on) {
    const socket = state.socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: on ? 'subscribe' : 'unsubscribe', channel }));
    }
  }

  function onFrame(socket, message) {
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch (err) {
      return;
    }
    switch (frame.type) {
      case 'welcome':
        $('link').textContent = 'live';
        for (const box of document.querySelectorAll('input[name=channel]:checked')) {
          subscribe(box.value, true);
        }
        break;
      case 'ping':
        socket.send('{"type":"pong"}');
        break;
      case 'event':
        countEvent();
        addEventRow(frame.data);
        scheduleFetch();
        break;
      case 'delivery':
        addRow('deliveries', 'delivery ' + frame.data.status,
          (frame.data.response_status || frame.data.error_type || '') + ' → ' + frame.data.request_url);
        break;
      case 'issue':
        addRow('issues', 'issue ' + frame.data.status,
          frame.data.error_type + ' × ' + frame.data.occurrences + ' on ' + frame.data.destination_id);
        refreshList('issues');
        break;
      case 'error':
        addRow('error', frame.error, frame.message || '');
        break;
      default:
        break;
    }
  }

  function addRow(channel, what, detail, id) {
    const body = document.querySelector('#stream tbody');
    const detailCell = el('td', { text: detail });
    const row = el('tr', { class: 'row-' + channel }, [
      el('td', { text: time() }),
      el('td', { text: channel }),
      el('td', { text: what }),
      detailCell,
    ]);
    if (id) row.dataset.id = id;
    body.prepend(row);
    while (body.rows.length > STREAM_ROWS) {
      const last = body.rows[body.rows.length - 1];
      state.rows.delete(last.dataset.id);
      last.remove();
    }
    return detailCell;
  }

  function addEventRow(data) {
    const source = data.source_id ? ' from ' + data.source_id : '';
    const cell = addRow('events', data.method + ' ' + data.id, 'received' + source, data.id);
    state.rows.set(data.id, cell);
  }

  // ---- events per second ---------------------------------------------------------------

  function countEvent() {
    const second = Math.floor(Date.now() / 1000);
    state.buckets.set(second, (state.buckets.get(second) || 0) + 1);
    state.total += 1;
    $('eps-total').textContent = String(state.total);
  }

  function chartData() {
    const now = Math.floor(Date.now() / 1000);
    const xs = [];
    const ys = [];
    for (let t = now - WINDOW_SECONDS + 1; t <= now; t++) {
      xs.push(t);
      ys.push(state.buckets.get(t) || 0);
    }
    for (const t of state.buckets.keys()) if (t <= now - WINDOW_SECONDS) state.buckets.delete(t);
    return [xs, ys];
  }

  function setupChart() {
    if (state.chart || typeof uPlot === 'undefined') return;
    const box = $('eps-chart');
    const options = {
      width: Math.max(box.clientWidth, 280),
      height: 180,
      legend: { show: false },
      cursor: { show: false },
      scales: { y: { range: (u, min, max) => [0, Math.max(5, max)] } },
      axes: [{ stroke: '#666' }, { stroke: '#666', size: 40 }],
      series: [{}, { label: 'events/s', stroke: '#1f6feb', fill: 'rgba(31,111,235,0.15)', width: 2 }],
    };
    state.chart = new uPlot(options, chartData(), box);
    setInterval(() => {
      const data = chartData();
      state.chart.setData(data);
      $('eps-now').textContent = String(data[1][data[1].length - 2] || 0);
    }, 1000);
    new ResizeObserver(() => {
      state.chart.setSize({ width: Math.max(box.clientWidth, 280), height: 180 });
    }).observe(box);
  }

  // ---- stored events: the mix and top pages --------------------------------------------

  async function loadRecent() {
    const since = Date.now() - 60 * 60 * 1000;
    let path = '/v1/events?limit=1000&since=' + since;
    for (let page = 0; page < 5 && path; page++) {
      const answer = await api('GET', path);
      take(answer.events);
      path = answer.next_cursor
        ? '/v1/events?limit=1000&since=' + since + '&cursor=' + encodeURIComponent(answer.next_cursor)
        : null;
    }
    showMix();
  }

  function scheduleFetch() {
    if (state.fetching) return;
    state.fetching = setTimeout(fetchNew, 250);
  }

  async function fetchNew() {
    try {
      if (state.lastSeq === null) return await loadRecent();
      const answer = await api('GET', '/v1/events?limit=1000&after_seq=' + state.lastSeq);
      take(answer.events);
      showMix();
    } catch (err) {
      // Shown on the next success; the stream keeps running.
    } finally {
      state.fetching = null;
    }
  }

  function take(events) {
    for (const stored of events) {
      state.lastSeq = Math.max(state.lastSeq || 0, stored.seq);
      state.recent.push(stored);
      const cell = state.rows.get(stored.id);
      if (cell) describe(cell, stored);
    }
    if (state.recent.length > RECENT_EVENTS) state.recent.splice(0, state.recent.length - RECENT_EVENTS);
  }

  // Fills a live row with what the stored event says: its type, class and visitor.
  function describe(cell, stored) {
    const event = stored.event || {};
    const labels = stored.labels || {};
    clear(cell);
    cell.append(String(event.type || 'webhook'));
    if (labels.behavioralClass) cell.append(' · ' + labels.behavioralClass);
    if (event.visitorId) {
      cell.append(' · ');
      cell.append(el('button', {
        type: 'button',
        class: 'linkish',
        text: event.visitorId,
        'aria-label': 'Look up visitor ' + event.visitorId,
        onclick: () => {
          $('visitor-id').value = event.visitorId;
          lookUpVisitor();
        },
      }));
    }
  }

  function tally(values) {
    const counts = new Map();
    for (const value of values) if (value) counts.set(value, (counts.get(value) || 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]);
  }

  function bars(table, entries, max) {
    const body = table.tBodies[0];
    clear(body);
    if (entries.length === 0) {
      body.append(el('tr', {}, [el('td', { class: 'empty', text: 'nothing yet' })]));
      return;
    }
    for (const [name, count] of entries) {
      body.append(el('tr', {}, [
        el('th', { scope: 'row', text: name }),
        el('td', {}, [el('meter', { min: '0', max: String(max), value: String(count), 'aria-label': name })]),
        el('td', { class: 'num', text: String(count) }),
      ]));
    }
  }

  function showMix() {
    const recent = state.recent;
    $('mix-count').textContent = String(recent.length);
    const labels = recent.map((s) => s.labels).filter(Boolean);
    bars($('class-mix'), tally(labels.map((l) => l.behavioralClass)), labels.length || 1);
    const bots = labels.map((l) => l.bot && l.bot.category).filter(Boolean);
    bars($('bot-mix'), tally(bots), bots.length || 1);
    const pages = tally(recent.map((s) => s.event && s.event.page && s.event.page.path)).slice(0, 10);
    bars($('top-pages'), pages, pages.length ? pages[0][1] : 1);
  }

  // ---- visitor lookup ------------------------------------------------------------------

  async function lookUpVisitor(event) {
    if (event) event.preventDefault();
    const id = $('visitor-id').value.trim();
    $('visitor-error').textContent = '';
    $('visitor-result').hidden = true;
    if (!id) return;
    try {
      showVisitor(await api('GET', '/v1/signals/' + encodeURIComponent(id)));
    } catch (err) {
      $('visitor-error').textContent = err.message;
    }
  }

  function showVisitor(snapshot) {
    const summary = $('visitor-summary');
    clear(summary);
    const bot = snapshot.bot || {};
    const device = snapshot.device || {};
    const pairs = [
      ['Visitor', snapshot.visitorId],
      ['Session', snapshot.sessionId],
      ['Class', snapshot.behavioralClass],
      ['Bot', (bot.isBot ? 'yes' : 'no') + ', score ' + bot.score + (bot.category ? ', ' + bot.category : '')],
      ['Device', [device.type, device.browser, device.os].filter(Boolean).join(' · ')],
      ['Identified', snapshot.hasIdentified ? 'yes' : 'no'],
      ['Updated', time(snapshot.updatedAt)],
    ];
    for (const [name, value] of pairs) {
      summary.append(el('dt', { text: name }), el('dd', { text: String(value) }));
    }
    const body = $('visitor-scores').tBodies[0];
    clear(body);
    for (const [name, value] of Object.entries(snapshot.scores || {})) {
      const cells = [el('th', { scope: 'row', text: name })];
      if (typeof value === 'number') {
        const min = name === 'sessionMomentum' ? '-1' : '0';
        const max = name === 'sessionMomentum' ? '1' : '100';
        cells.push(el('td', {}, [el('meter', { min, max, value: String(value), 'aria-label': name })]));
        cells.push(el('td', { class: 'num', text: String(Math.round(value * 100) / 100) }));
      } else {
        cells.push(el('td', { text: String(value) }), el('td', {}));
      }
      body.append(el('tr', { 'data-score': name }, cells));
    }
    $('visitor-result').hidden = false;
  }

  // ---- sources, destinations, dead letters, issues -------------------------------------

  async function refreshList(which) {
    try {
      if (which === 'sources') showSources((await api('GET', '/v1/sources')).sources);
      if (which === 'destinations') {
        showDestinations((await api('GET', '/v1/destinations')).destinations);
        const failed = await api('GET', '/v1/delivery-attempts?status=failed&limit=50');
        showDeadLetters(failed.attempts.filter((a) => a.is_dlq));
      }
      if (which === 'issues') showIssues((await api('GET', '/v1/issues?limit=50')).issues);
    } catch (err) {
      $('action-status').textContent = which + ': ' + err.message;
    }
  }

  function rows(table, items, cells) {
    const body = table.tBodies[0];
    clear(body);
    if (items.length === 0) {
      const span = String(table.tHead.rows[0].cells.length);
      body.append(el('tr', {}, [el('td', { colspan: span, class: 'empty', text: 'none' })]));
    }
    for (const item of items) body.append(el('tr', {}, cells(item).map((c) => (c instanceof Node ? el('td', {}, [c]) : el('td', { text: String(c) })))));
  }

  function showSources(sources) {
    // The signing secret is never shown here.
    rows($('sources-list'), sources, (s) => [s.name, s.kind, el('code', { text: s.id })]);
  }

  function showDestinations(destinations) {
    rows($('destinations-list'), destinations, (d) => [d.name, d.url, d.enabled ? 'enabled' : 'disabled: ' + (d.disabled_reason || '')]);
  }

  function showDeadLetters(attempts) {
    rows($('dead-list'), attempts, (a) => [
      el('code', { text: a.event_id }),
      a.error || a.error_type || String(a.response_status),
      action('Retry', 'Retry delivery ' + a.delivery_id, () => act('POST', '/v1/delivery-attempts/' + a.id + '/retry', 'destinations', 'Retried')),
    ]);
  }

  function showIssues(issues) {
    rows($('issues-list'), issues, (i) => {
      const buttons = el('span', { class: 'actions' });
      if (i.status === 'open') {
        buttons.append(action('Acknowledge', 'Acknowledge issue ' + i.id, () => act('PATCH', '/v1/issues/' + i.id, 'issues', 'Acknowledged', { status: 'acknowledged' })));
      }
      buttons.append(action('Retry', 'Retry the dead letters of issue ' + i.id, () => act('POST', '/v1/issues/' + i.id + '/retry', 'issues', 'Retried')));
      return [i.error_type + ' on ' + i.destination_id, i.status, i.occurrences + ' × , last ' + time(i.last_seen), buttons];
    });
  }

  function action(text, label, run) {
    return el('button', { type: 'button', text, 'aria-label': label, onclick: run });
  }

  async function act(method, path, list, done, body) {
    const status = $('action-status');
    try {
      const answer = await api(method, path, body);
      status.textContent = done + (answer && answer.retried !== undefined ? ': ' + answer.retried + ' deliveries' : '');
      refreshList(list);
    } catch (err) {
      status.textContent = err.message;
    }
  }

  // ---- test inspector ------------------------------------------------------------------

  async function newTestSession() {
    $('test-error').textContent = '';
    try {
      const session = await api('POST', '/v1/test/sessions');
      if (state.testSocket) state.testSocket.close(1000);
      clear($('test-requests'));
      $('test-count').textContent = '0';
      $('test-url').textContent = session.url;
      $('test-session').hidden = false;
      watchTestSession(session.session_id);
    } catch (err) {
      $('test-error').textContent = err.message;
    }
  }

  function watchTestSession(id) {
    const socket = new WebSocket(wsUrl('/v1/ws/test/' + encodeURIComponent(id)));
    state.testSocket = socket;
    $('test-link').textContent = 'connecting…';
    socket.addEventListener('open', () => { $('test-link').textContent = 'live'; });
    socket.addEventListener('close', () => {
      if (state.testSocket === socket) $('test-link').textContent = 'closed';
    });
    socket.addEventListener('message', (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (err) {
        return;
      }
      if (frame.type === 'ping') return socket.send('{"type":"pong"}');
      if (frame.type === 'event') showCapture(frame.data);
    });
  }

  function showCapture(data) {
    const list = $('test-requests');
    const body = typeof data.body === 'string' ? data.body : JSON.stringify(data.body, null, 2);
    const headers = Object.entries(data.headers || {}).map(([k, v]) => k + ': ' + v).join('\n');
    list.prepend(el('li', { class: 'capture' }, [
      el('p', { class: 'capture-line' }, [
        el('strong', { text: data.method }), ' ', el('code', { text: data.path }), ' · ' + time(data.received_at),
      ]),
      el('details', {}, [el('summary', { text: 'Headers' }), el('pre', { text: headers })]),
      el('pre', { class: 'capture-body', text: body === undefined ? '' : body }),
    ]));
    while (list.children.length > TEST_ROWS) list.lastElementChild.remove();
    $('test-count').textContent = String(Number($('test-count').textContent) + 1);
  }

  async function copyTestUrl() {
    try {
      await navigator.clipboard.writeText($('test-url').textContent);
      $('copy-test-url').textContent = 'Copied';
    } catch (err) {
      $('copy-test-url').textContent = 'Select and copy';
    }
  }

  document.addEventListener('DOMContentLoaded', start);
})();
