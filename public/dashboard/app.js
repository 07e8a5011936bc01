// The operator dashboard: plain JavaScript, no framework. Everything it shows comes from the
// service's own API and socket.io feed, with the API key the operator enters (kept in this tab's
// sessionStorage). Data is only ever written with textContent, never as HTML.
'use strict';

(() => {
  const STORAGE_KEY = 'agent-runtime.api-key';
  const FEED_MAX = 100;
  const dev = document.body.dataset.env !== 'production';
  const $ = (id) => document.getElementById(id);

  let apiKey = null;
  let socket = null;
  let viewer = null;
  let status = null;
  let timers = [];
  const debounced = new Map();

  // ---------- helpers ----------

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (!res.ok) {
      const err = new Error((data && data.message) || `${res.status} ${res.statusText}`);
      err.status = res.status;
      err.code = data && data.error;
      throw err;
    }
    return data;
  }

  /** Runs `fn` at most once per `ms`, after the last call (refreshes triggered by the feed). */
  function soon(name, ms, fn) {
    if (debounced.has(name)) return;
    debounced.set(name, setTimeout(() => {
      debounced.delete(name);
      fn().catch(() => undefined);
    }, ms));
  }

  function cell(value, cls) {
    const td = document.createElement('td');
    if (value instanceof Node) td.append(value);
    else td.textContent = value === null || value === undefined ? '' : String(value);
    if (cls) td.className = cls;
    return td;
  }

  function badge(value) {
    const b = document.createElement('span');
    b.className = `badge ${value}`;
    b.textContent = value;
    return b;
  }

  const short = (id) => (id ? String(id).slice(0, 8) : '');
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
  const dateTime = (iso) => (iso ? new Date(iso).toLocaleString() : '–');

  function relative(iso) {
    if (!iso) return '';
    const s = Math.round((Date.parse(iso) - Date.now()) / 1000);
    const abs = Math.abs(s);
    const span = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
    return s >= 0 ? `(in ${span})` : `(${span} ago)`;
  }

  // ---------- session ----------

  async function signIn(key) {
    apiKey = key;
    status = await api('GET', '/api/autonomy');
    sessionStorage.setItem(STORAGE_KEY, key);
    viewer = status.viewer;
    $('login').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = false;
    $('who').textContent = viewer.kind === 'admin' ? 'platform admin' : `tenant ${short(viewer.tenant_id)}`;
    $('scope').textContent = viewer.kind === 'admin' ? 'Global' : 'Tenant';
    $('instances-card').hidden = viewer.kind !== 'admin';
    $('dev-card').hidden = !dev;
    renderStatus(status);
    openSocket();
    await Promise.all([refreshAudit(), refreshRules()]);
    // Pushes come over the socket; the polls only keep the instances' heartbeats fresh. (Every admin
    // API call is audited, so the page asks no more often than that needs.)
    timers = [setInterval(() => void refreshStatus().catch(() => undefined), 30_000), setInterval(() => void refreshAudit().catch(() => undefined), 30_000)];
  }

  function signOut(message) {
    sessionStorage.removeItem(STORAGE_KEY);
    apiKey = null;
    socket?.close();
    socket = null;
    for (const t of timers) clearInterval(t);
    timers = [];
    $('app').hidden = true;
    $('login').hidden = false;
    $('logout').hidden = true;
    $('who').textContent = '';
    setConn(false, 'offline');
    $('login-error').textContent = message || '';
  }

  // ---------- autonomy status ----------

  async function refreshStatus() {
    if (!apiKey) return;
    renderStatus(await api('GET', '/api/autonomy'));
  }

  function renderStatus(s) {
    status = s;
    const master = s.master_switch;
    $('master').textContent = master ? 'ON' : 'OFF';
    $('master').className = `badge ${master ? 'on' : 'off'}`;
    const scoped = s.viewer.kind === 'tenant' && s.mode.tenant;
    const effective = scoped ? s.mode.tenant.effective : s.mode.global;
    const setting = scoped ? s.mode.tenant.setting || s.mode.global_setting : s.mode.global_setting;
    $('mode').textContent = effective.toUpperCase();
    $('mode').className = `badge ${effective}`;
    for (const b of document.querySelectorAll('.toggle button')) {
      const active = b.dataset.mode === setting;
      b.classList.toggle('active', active);
      b.setAttribute('aria-pressed', String(active));
      b.disabled = !master && b.dataset.mode !== 'off';
    }
    if (!master) $('toggle-msg').textContent = 'The master switch AUTONOMY_ENABLED is off: nothing proactive runs, and the toggle cannot turn it on.';
    else if (!$('toggle-msg').dataset.sticky) $('toggle-msg').textContent = `Toggle: ${setting.toUpperCase()}`;

    const counts = s.jobs.by_status;
    $('scheduled-count').textContent = String(counts.pending);
    $('next-run').textContent = dateTime(s.jobs.next_run_at);
    $('next-run-rel').textContent = relative(s.jobs.next_run_at);
    $('counts').textContent = `claimed ${counts.claimed} · completed ${counts.completed} · failed ${counts.failed} · cancelled ${counts.cancelled}`;

    if (s.instances) {
      const body = $('instances').tBodies[0];
      body.replaceChildren(
        ...s.instances.map((i) => {
          const tr = document.createElement('tr');
          tr.append(
            cell(`${i.instance_id}${i.self ? ' (this)' : ''}`, 'mono'),
            cell(i.role),
            cell(badge(i.runner.running ? 'running' : 'stopped')),
            cell(`${i.runner.in_flight}/${i.runner.concurrency}`),
            cell(`${i.runner.poll_interval_ms} ms`),
            cell(i.runner.last_claim_at ? time(i.runner.last_claim_at) : '–'),
            cell(`${(i.age_ms / 1000).toFixed(1)} s ago`),
          );
          return tr;
        }),
      );
    }
  }

  async function setMode(mode) {
    const msg = $('toggle-msg');
    try {
      const body = viewer.kind === 'tenant' ? { mode, tenant_id: viewer.tenant_id } : { mode };
      renderStatus(await api('PUT', '/api/autonomy', body));
      msg.dataset.sticky = '';
      msg.textContent = `Toggle set to ${mode.toUpperCase()} (audited; every instance follows within a second).`;
      soon('audit', 300, refreshAudit);
    } catch (e) {
      msg.dataset.sticky = '1';
      msg.textContent = e.status === 409 ? e.message : `Could not change the toggle: ${e.message}`;
    }
  }

  // ---------- live feed ----------

  function setConn(on, label) {
    $('conn').textContent = label;
    $('conn').className = `pill ${on ? 'pill-on' : 'pill-off'}`;
  }

  function openSocket() {
    if (typeof window.io !== 'function') {
      setConn(false, 'no socket.io');
      return;
    }
    socket = window.io('/autonomy', { auth: { token: apiKey } });
    socket.on('connect', () => setConn(true, 'live'));
    socket.on('disconnect', () => setConn(false, 'reconnecting…'));
    socket.on('connect_error', (err) => {
      setConn(false, 'refused');
      if (String(err && err.message).startsWith('UNAUTHORIZED')) signOut(`The live feed refused the key: ${err.message}`);
    });
    socket.on('autonomy:status', (s) => renderStatus(s));
    socket.on('job:updated', (job) => {
      addFeedRow(job);
      soon('status', 1000, refreshStatus);
      soon('audit', 1500, refreshAudit);
    });
  }

  function addFeedRow(job) {
    const body = $('feed').tBodies[0];
    const tr = document.createElement('tr');
    tr.className = 'fresh';
    tr.dataset.job = job.id;
    tr.dataset.type = job.type;
    tr.dataset.status = job.status;
    const detail = [job.outcome, job.reason, job.attempts ? `attempt ${job.attempts}` : null].filter(Boolean).join(' · ');
    tr.append(cell(time(new Date().toISOString())), cell(short(job.id), 'mono'), cell(job.type), cell(badge(job.status)), cell(detail), cell(short(job.tenant_id), 'mono'));
    body.prepend(tr);
    while (body.rows.length > FEED_MAX) body.deleteRow(body.rows.length - 1);
    $('feed-empty').hidden = true;
    $('feed-count').textContent = `(${body.rows.length})`;
  }

  // ---------- audit and policy ----------

  async function refreshAudit() {
    if (!apiKey) return;
    const page = await api('GET', '/api/audit?limit=30');
    $('audit').tBodies[0].replaceChildren(
      ...page.items.map((a) => {
        const tr = document.createElement('tr');
        tr.append(cell(time(a.created_at)), cell(a.event_type, 'mono'), cell(a.actor, 'mono'), cell(a.entity_type ? `${a.entity_type} ${short(a.entity_id)}` : '', 'mono'));
        return tr;
      }),
    );
  }

  async function refreshRules() {
    if (!apiKey) return;
    const { items } = await api('GET', '/api/policy-rules');
    $('rules').tBodies[0].replaceChildren(
      ...items.map((r) => {
        const tr = document.createElement('tr');
        if (!r.is_active) tr.className = 'muted';
        const conditions = r.conditions && Object.keys(r.conditions).length > 0 ? JSON.stringify(r.conditions) : '–';
        tr.append(cell(r.action, 'mono'), cell(badge(r.effect)), cell(r.priority), cell(r.tenant_id ? `tenant ${short(r.tenant_id)}` : 'global'), cell(conditions, 'mono'));
        tr.title = r.description || '';
        return tr;
      }),
    );
  }

  // ---------- development: book a test appointment ----------

  async function demoTenantId() {
    if (viewer.kind === 'tenant') return viewer.tenant_id;
    const tenants = await api('GET', '/api/tenants');
    const demo = tenants.find((t) => t.slug === 'demo') || tenants[0];
    if (!demo) throw new Error('there is no tenant yet: create one (POST /api/tenants) or start with SEED_DEMO=true');
    return demo.id;
  }

  async function bookTestAppointment() {
    const msg = $('book-msg');
    const button = $('book');
    button.disabled = true;
    msg.textContent = 'Looking for a free slot…';
    try {
      const tenantId = await demoTenantId();
      // from three days ahead: the reminder (start − REMINDER_LEAD_MINUTES, a day by default) is then
      // scheduled, not due at once, so the scheduled-jobs indicator moves too
      for (let day = 3; day <= 24; day++) {
        const date = new Date(Date.now() + day * 86_400_000).toISOString().slice(0, 10);
        const av = await api('GET', `/api/availability?tenant_id=${encodeURIComponent(tenantId)}&date=${date}`);
        const free = av.slots.filter((s) => s.available);
        while (free.length > 0) {
          const slot = free.splice(Math.floor(Math.random() * free.length), 1)[0];
          try {
            const apt = await api('POST', '/api/appointments', {
              tenant_id: tenantId,
              start: slot.start,
              end: slot.end,
              client_name: 'Dashboard Test Client',
              client_email: 'test.client@example.com',
              service: 'Dashboard test booking',
            });
            msg.textContent = `Booked ${short(apt.id)} for ${dateTime(apt.start)}: watch the confirmation job in the feed.`;
            return;
          } catch (e) {
            if (e.status !== 409) throw e; // taken meanwhile: try another slot
          }
        }
      }
      msg.textContent = 'No free slot in the next three weeks (from three days ahead).';
    } catch (e) {
      msg.textContent = `Could not book: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  }

  // ---------- wiring ----------

  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const key = $('key').value.trim();
    $('login-error').textContent = '';
    signIn(key).catch((e) => signOut(e.status === 401 ? 'That key was refused (401).' : `Could not load the dashboard: ${e.message}`));
  });
  $('logout').addEventListener('click', () => signOut(''));
  for (const b of document.querySelectorAll('.toggle button')) b.addEventListener('click', () => void setMode(b.dataset.mode));
  $('book').addEventListener('click', () => void bookTestAppointment());

  const saved = sessionStorage.getItem(STORAGE_KEY);
  if (saved) signIn(saved).catch(() => signOut('The saved key no longer works; enter it again.'));
})();
