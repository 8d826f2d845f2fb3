// @ts-nocheck
import { readdirSync, readFileSync } from 'node:fs';
const dir = process.argv[2];
const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => `${dir}/${f}`).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n])); const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const hasSrc = (id) => { for (let i = id; i !== undefined; i = parent.get(i)) { const u = byId.get(i).callFrame.url; if (u.includes('/src/') || u.includes('.profile-build')) return true; } return false; };
const top = (id) => { const chain = []; for (let i = id; i !== undefined; i = parent.get(i)) chain.push(byId.get(i)); const f = chain.reverse().slice(1, 5).map((n) => `${n.callFrame.functionName || '(anon)'}@${n.callFrame.url.split('/').slice(-1)[0]}`); return f.join(' > '); };
const t = new Map();
for (const n of p.nodes) { if (!n.hitCount || n.callFrame.functionName === '(idle)' || hasSrc(n.id)) continue; const k = top(n.id); t.set(k, (t.get(k) ?? 0) + n.hitCount); }
const total = [...t.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...t].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((100 * v / total).toFixed(1) + '%', k);
