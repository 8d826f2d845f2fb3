#!/usr/bin/env node
// Run by `npm test` before anything else (the `pretest` script): makes sure what the tests need is
// there, as .ci/run does, or says in one line what is missing and how to get it.
// - Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (trust auth): started when installed
//   but not running (redis-server, pg_ctlcluster).
// - Debian's Chromium at /usr/bin/chromium for the dashboard browser test: installed with apt-get
//   when running as root.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';

const CHROMIUM = '/usr/bin/chromium';
const problems = [];

function reachable(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 120_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(port) {
  for (let attempt = 0; attempt < 30; attempt++) {
    if (await reachable(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

async function ensureRedis() {
  if (await reachable(6379)) return;
  if (onPath('redis-server')) {
    process.stderr.write('npm test: starting redis-server on 127.0.0.1:6379\n');
    run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no']);
    if (await waitFor(6379)) return;
  }
  problems.push('Redis is not reachable on 127.0.0.1:6379: install and start it (apt-get install redis-server; redis-server --daemonize yes)');
}

async function ensurePostgres() {
  if (await reachable(5432)) return;
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  if (onPath('pg_ctlcluster') && versions.length > 0) {
    process.stderr.write('npm test: starting postgresql on 127.0.0.1:5432\n');
    run('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', 'start']);
    if (await waitFor(5432)) return;
  }
  problems.push('PostgreSQL is not reachable on 127.0.0.1:5432 (trust auth, user postgres): install and start it (apt-get install postgresql; pg_ctlcluster VERSION main start)');
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    process.stderr.write('npm test: installing Debian\'s chromium for the dashboard browser test\n');
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'chromium']);
    if (existsSync(CHROMIUM)) return;
  }
  problems.push(`the dashboard browser test needs Debian's Chromium at ${CHROMIUM}: run "sudo apt-get install chromium"`);
}

await Promise.all([ensureRedis(), ensurePostgres()]);
ensureChromium();
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`npm test: ${problem}\n`);
  process.exit(1);
}
