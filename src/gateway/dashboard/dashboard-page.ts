/*
 * The dashboard page: static HTML with inline CSS and JS, polling
 * GET /api/stats every 1.5 s. Data is written with textContent only (model
 * names come from callers), charts are small inline SVG polylines built from
 * the history the page keeps itself.
 */

const STYLE = `
:root { --bg:#0f1419; --panel:#171d24; --line:#263040; --text:#e6edf3; --muted:#8b98a5; --accent:#4cc2ff; --good:#3fb950; --warn:#d29922; --bad:#f85149; --violet:#a371f7; }
* { box-sizing:border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
header { display:flex; align-items:center; gap:14px; padding:16px 28px; border-bottom:1px solid var(--line); background:#121920; }
header h1 { font-size:18px; margin:0; font-weight:600; letter-spacing:.2px; }
header .meta { color:var(--muted); font-size:13px; margin-left:auto; display:flex; gap:18px; align-items:center; }
.dot { width:9px; height:9px; border-radius:50%; background:var(--muted); display:inline-block; margin-right:6px; }
.dot.live { background:var(--good); box-shadow:0 0 8px var(--good); }
.dot.down { background:var(--bad); }
main { padding:22px 28px 32px; display:grid; gap:18px; max-width:1400px; margin:0 auto; }
.cards { display:grid; grid-template-columns:repeat(5,minmax(0,1fr)); gap:14px; }
@media (max-width:1100px) { .cards { grid-template-columns:repeat(auto-fill,minmax(200px,1fr)); } }
.card, .panel { background:var(--panel); border:1px solid var(--line); border-radius:10px; padding:14px 16px; }
.panel h2 { display:flex; justify-content:space-between; }
.panel h2 .max { text-transform:none; letter-spacing:0; font-weight:500; font-variant-numeric:tabular-nums; }
.card .label, .panel h2 { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.6px; margin:0 0 6px; font-weight:600; }
.card .value { font-size:26px; font-weight:650; font-variant-numeric:tabular-nums; }
.card .sub { color:var(--muted); font-size:12px; margin-top:2px; font-variant-numeric:tabular-nums; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit,minmax(380px,1fr)); gap:18px; }
.grid3 { display:grid; grid-template-columns:repeat(auto-fit,minmax(300px,1fr)); gap:18px; }
svg.chart { width:100%; height:120px; display:block; }
svg.chart .grid { stroke:var(--line); stroke-width:1; }
.legend { display:flex; gap:14px; font-size:12px; color:var(--muted); margin-top:6px; }
.legend i { display:inline-block; width:10px; height:3px; margin-right:5px; vertical-align:middle; border-radius:2px; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); font-size:13px; }
th { color:var(--muted); font-weight:600; font-size:12px; }
td.num, th.num { text-align:right; }
.empty { color:var(--muted); font-style:italic; padding:8px; }
.bar { height:8px; background:#0b0f14; border-radius:4px; overflow:hidden; margin-top:4px; }
.bar > span { display:block; height:100%; background:var(--accent); width:0; transition:width .4s; }
.layer { margin-bottom:12px; }
.layer .row { display:flex; justify-content:space-between; font-size:13px; }
.layer .row span:last-child { color:var(--muted); font-variant-numeric:tabular-nums; }
.code { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12px; }
`;

const SCRIPT = `
const HISTORY = 60;
const history = { rps: [], p50: [], p95: [], overhead: [], heap: [], rss: [] };
const $ = (id) => document.getElementById(id);
const fmt = (n, digits = 0) => Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n) => n >= 1000 ? fmt(n / 1000, 2) + ' s' : fmt(n, n < 10 ? 2 : 0) + ' ms';
const pct = (r) => r === null || r === undefined ? '–' : fmt(r * 100, 1) + '%';
const usd = (n) => '$' + fmt(n, n === 0 ? 2 : n < 0.01 ? 6 : n < 1 ? 4 : 2);
function set(id, text) { const el = $(id); if (el.textContent !== text) el.textContent = text; }
function push(series, value) { series.push(value); if (series.length > HISTORY) series.shift(); }

function chart(id, lines) {
  const svg = $(id);
  const width = 600, height = 120, pad = 6;
  const max = Math.max(1e-9, ...lines.flatMap((line) => line.values));
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const ns = 'http://www.w3.org/2000/svg';
  for (const y of [0.25, 0.5, 0.75]) {
    const grid = document.createElementNS(ns, 'line');
    grid.setAttribute('x1', 0); grid.setAttribute('x2', width);
    grid.setAttribute('y1', height * y); grid.setAttribute('y2', height * y);
    grid.setAttribute('class', 'grid');
    svg.appendChild(grid);
  }
  for (const line of lines) {
    if (line.values.length === 0) continue;
    const step = width / (HISTORY - 1);
    const offset = (HISTORY - line.values.length) * step;
    const points = line.values.map((v, i) => (offset + i * step).toFixed(1) + ',' + (height - pad - (v / max) * (height - 2 * pad)).toFixed(1));
    if (line.fill) {
      const area = document.createElementNS(ns, 'polygon');
      area.setAttribute('points', offset.toFixed(1) + ',' + height + ' ' + points.join(' ') + ' ' + width + ',' + height);
      area.setAttribute('fill', line.color); area.setAttribute('opacity', '0.12');
      svg.appendChild(area);
    }
    const poly = document.createElementNS(ns, 'polyline');
    poly.setAttribute('points', points.join(' '));
    poly.setAttribute('fill', 'none'); poly.setAttribute('stroke', line.color);
    poly.setAttribute('stroke-width', '2'); poly.setAttribute('stroke-linejoin', 'round');
    poly.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.appendChild(poly);
  }
  set(id + '-max', 'max ' + lines[0].format(max));
}

function table(id, columns, rows, empty) {
  const body = $(id);
  while (body.firstChild) body.removeChild(body.firstChild);
  if (rows.length === 0) {
    const tr = document.createElement('tr'); const td = document.createElement('td');
    td.colSpan = columns; td.className = 'empty'; td.textContent = empty;
    tr.appendChild(td); body.appendChild(tr); return;
  }
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const cell of row) {
      const td = document.createElement('td');
      td.textContent = cell.text;
      if (cell.num) td.className = 'num';
      if (cell.code) td.className = 'code';
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}

function render(s) {
  set('total-requests', fmt(s.lifetime.requests));
  set('total-sub', fmt(s.requests.total) + ' in the last ' + fmt(s.windowSeconds) + ' s');
  set('rps', fmt(s.requests.perSecond, 2));
  set('in-flight', fmt(s.requests.inFlight) + ' in flight');
  set('latency-p50', ms(s.latencyMs.p50));
  set('latency-sub', 'p95 ' + ms(s.latencyMs.p95) + ' · p99 ' + ms(s.latencyMs.p99));
  set('overhead-p50', ms(s.overheadMs.p50));
  set('overhead-sub', 'p95 ' + ms(s.overheadMs.p95) + ' · max ' + ms(s.overheadMs.max));
  set('hit-ratio', pct(s.cache.responseHitRatio));
  const hits = s.cache.byStatus['hit-memory'] + s.cache.byStatus['hit-redis'] + s.cache.byStatus['hit-sql'];
  set('hit-sub', fmt(hits) + ' hits · ' + fmt(s.cache.byStatus.miss) + ' misses · ' + fmt(s.cache.byStatus.bypass) + ' bypass');
  set('tokens', fmt(s.tokens.input + s.tokens.output));
  set('tokens-sub', fmt(s.tokens.input) + ' in · ' + fmt(s.tokens.output) + ' out');
  set('cost', usd(s.costUsd));
  set('cost-sub', usd(s.lifetime.costUsd) + ' since start');
  set('errors', fmt(s.requests.failed));
  set('errors-sub', fmt(s.lifetime.errors) + ' since start');
  set('memory', fmt(s.memory.heapUsedMb, 1) + ' MB');
  set('memory-sub', 'rss ' + fmt(s.memory.rssMb, 1) + ' MB');
  const pools = Object.values(s.pools);
  const sum = (key) => pools.reduce((total, pool) => total + pool[key], 0);
  set('upstream', fmt(sum('connected')));
  set('upstream-sub', fmt(sum('running')) + ' running · ' + fmt(sum('pending') + sum('queued')) + ' waiting · ' + fmt(pools.length) + ' pool(s)');
  set('uptime', 'up ' + fmt(s.gateway.uptimeSeconds / 60, 1) + ' min');
  set('auth', s.gateway.authRequired ? fmt(s.gateway.tenants) + ' tenant(s), keys required' : 'no keys: open access');

  push(history.rps, s.requests.perSecond);
  push(history.p50, s.latencyMs.p50); push(history.p95, s.latencyMs.p95); push(history.overhead, s.overheadMs.p50);
  push(history.heap, s.memory.heapUsedMb); push(history.rss, s.memory.rssMb);
  chart('chart-rps', [{ values: history.rps, color: '#4cc2ff', fill: true, format: (v) => fmt(v, 2) + ' req/s' }]);
  chart('chart-latency', [
    { values: history.p95, color: '#a371f7', format: ms },
    { values: history.p50, color: '#4cc2ff', format: ms },
    { values: history.overhead, color: '#3fb950', format: ms },
  ]);
  chart('chart-memory', [
    { values: history.rss, color: '#d29922', format: (v) => fmt(v, 0) + ' MB' },
    { values: history.heap, color: '#4cc2ff', fill: true, format: (v) => fmt(v, 0) + ' MB' },
  ]);

  // Per-layer lookups when the cache reports them; else each layer's share of cacheable responses.
  const cacheable = hits + s.cache.byStatus.miss;
  for (const layer of ['memory', 'redis', 'sql']) {
    const figures = s.cache.byLayer[layer];
    const served = s.cache.byStatus['hit-' + layer];
    const lookups = figures.hits + figures.misses;
    const ratio = lookups > 0 ? figures.hitRatio : cacheable > 0 ? served / cacheable : null;
    const detail = lookups > 0 ? fmt(figures.hits) + ' hit / ' + fmt(figures.misses) + ' miss' : fmt(served) + ' of ' + fmt(cacheable) + ' responses';
    set('layer-' + layer, pct(ratio) + ' · ' + detail + (figures.errors ? ' / ' + fmt(figures.errors) + ' err' : ''));
    $('bar-' + layer).style.width = ((ratio || 0) * 100).toFixed(1) + '%';
  }
  table('models-body', 5, s.topModels.map((m) => [
    { text: m.model, code: true }, { text: fmt(m.requests), num: true }, { text: fmt(m.errors), num: true },
    { text: fmt(m.inputTokens + m.outputTokens), num: true }, { text: usd(m.costUsd), num: true },
  ]), 'no requests in the window yet');
  table('errors-body', 2, Object.entries(s.errorsByCode).sort((a, b) => b[1] - a[1]).map(([code, count]) => [
    { text: code, code: true }, { text: fmt(count), num: true },
  ]), 'no errors in the window');
  if (s.spend) {
    const spendRows = (lines) => lines.map((line) => [
      { text: line.group, code: true }, { text: fmt(line.requests), num: true }, { text: fmt(line.rejections), num: true },
      { text: usd(line.costUsd), num: true }, { text: usd(line.savingsUsd), num: true },
    ]);
    table('spend-tenants-body', 5, spendRows(s.spend.byTenant), 'no spend recorded yet');
    table('spend-models-body', 5, spendRows(s.spend.byModel), 'no spend recorded yet');
  }
  table('pools-body', 5, Object.entries(s.pools).map(([provider, p]) => [
    { text: provider, code: true }, { text: fmt(p.connected), num: true }, { text: fmt(p.free), num: true },
    { text: fmt(p.running), num: true }, { text: fmt(p.pending + p.queued), num: true },
  ]), 'no pooled upstreams (the mock provider needs none)');
  table('deployments-body', 6, (s.deployments || []).map((d) => [
    { text: d.route, code: true }, { text: d.deployment, code: true }, { text: d.state },
    { text: pct(d.share) + ' of ' + fmt(d.requests), num: true },
    { text: d.latencyMs === null ? '–' : fmt(d.latencyMs, 1) + ' ms', num: true }, { text: fmt(d.failures), num: true },
  ]), 'no balanced routes configured');
}

async function refresh() {
  try {
    const response = await fetch('/api/stats', { cache: 'no-store' });
    if (!response.ok) throw new Error('status ' + response.status);
    render(await response.json());
    $('status-dot').className = 'dot live';
    set('updated', 'updated ' + new Date().toLocaleTimeString());
  } catch (error) {
    $('status-dot').className = 'dot down';
    set('updated', 'stats unavailable (' + error.message + ')');
  }
}
refresh();
setInterval(refresh, 1500);
`;

function card(id: string, label: string, subId: string): string {
  return `<div class="card"><div class="label">${label}</div><div class="value" id="${id}">–</div><div class="sub" id="${subId}">&nbsp;</div></div>`;
}

function layer(name: string, label: string): string {
  return `<div class="layer"><div class="row"><span>${label}</span><span id="layer-${name}">–</span></div><div class="bar"><span id="bar-${name}"></span></div></div>`;
}

/** The whole dashboard page served at GET /. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard gateway</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Switchyard gateway</h1>
  <div class="meta"><span><span class="dot" id="status-dot"></span><span id="updated">connecting…</span></span><span id="uptime"></span><span id="auth"></span></div>
</header>
<main>
  <section class="cards">
    ${card('total-requests', 'Total requests', 'total-sub')}
    ${card('rps', 'Requests / s', 'in-flight')}
    ${card('latency-p50', 'Latency p50', 'latency-sub')}
    ${card('overhead-p50', 'Gateway overhead p50', 'overhead-sub')}
    ${card('hit-ratio', 'Cache hit ratio', 'hit-sub')}
    ${card('tokens', 'Tokens', 'tokens-sub')}
    ${card('cost', 'Cost', 'cost-sub')}
    ${card('errors', 'Errors', 'errors-sub')}
    ${card('memory', 'Heap used', 'memory-sub')}
    ${card('upstream', 'Upstream connections', 'upstream-sub')}
  </section>
  <section class="grid3">
    <div class="panel"><h2>Requests per second<span class="max" id="chart-rps-max"></span></h2><svg class="chart" id="chart-rps" viewBox="0 0 600 120" preserveAspectRatio="none"></svg>
      <div class="legend"><span><i style="background:#4cc2ff"></i>req/s (window average)</span></div></div>
    <div class="panel"><h2>Latency<span class="max" id="chart-latency-max"></span></h2><svg class="chart" id="chart-latency" viewBox="0 0 600 120" preserveAspectRatio="none"></svg>
      <div class="legend"><span><i style="background:#4cc2ff"></i>p50</span><span><i style="background:#a371f7"></i>p95</span><span><i style="background:#3fb950"></i>overhead p50</span></div></div>
    <div class="panel"><h2>Process memory<span class="max" id="chart-memory-max"></span></h2><svg class="chart" id="chart-memory" viewBox="0 0 600 120" preserveAspectRatio="none"></svg>
      <div class="legend"><span><i style="background:#4cc2ff"></i>heap used</span><span><i style="background:#d29922"></i>rss</span></div></div>
  </section>
  <section class="grid2">
    <div class="panel"><h2>Top models</h2>
      <table><thead><tr><th>Model</th><th class="num">Requests</th><th class="num">Errors</th><th class="num">Tokens</th><th class="num">Cost</th></tr></thead><tbody id="models-body"></tbody></table></div>
    <div class="panel"><h2>Cache hit ratio by layer</h2>${layer('memory', 'Memory')}${layer('redis', 'Redis')}${layer('sql', 'SQL')}</div>
  </section>
  <section class="grid2">
    <div class="panel"><h2>Errors by code</h2>
      <table><thead><tr><th>Code</th><th class="num">Count</th></tr></thead><tbody id="errors-body"></tbody></table></div>
    <div class="panel"><h2>Upstream pools</h2>
      <table><thead><tr><th>Provider</th><th class="num">Connected</th><th class="num">Free</th><th class="num">Running</th><th class="num">Waiting</th></tr></thead><tbody id="pools-body"></tbody></table></div>
  </section>
  <section class="grid2">
    <div class="panel"><h2>Spend by tenant (all instances)</h2>
      <table><thead><tr><th>Tenant</th><th class="num">Requests</th><th class="num">Rejected</th><th class="num">Cost</th><th class="num">Saved by cache</th></tr></thead><tbody id="spend-tenants-body"></tbody></table></div>
    <div class="panel"><h2>Spend by model (all instances)</h2>
      <table><thead><tr><th>Model</th><th class="num">Requests</th><th class="num">Rejected</th><th class="num">Cost</th><th class="num">Saved by cache</th></tr></thead><tbody id="spend-models-body"></tbody></table></div>
  </section>
  <section>
    <div class="panel"><h2>Deployments</h2>
      <table><thead><tr><th>Route</th><th>Deployment</th><th>Breaker</th><th class="num">Traffic share</th><th class="num">Latency (avg)</th><th class="num">Failures</th></tr></thead><tbody id="deployments-body"></tbody></table></div>
  </section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
