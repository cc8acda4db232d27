'use strict';
// A real policyhub server for the tests, and requests from the repository's examples and fixtures.
// The server is $POLICYHUB_SERVER (the `policyhub` executable), else the repository's .venv.

const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawn, spawnSync } = require('node:child_process');
const YAML = require('yaml');

const REPO = path.resolve(__dirname, '..', '..', '..');

function serverCommand() {
  const candidates = [process.env.POLICYHUB_SERVER, path.join(REPO, '.venv', 'bin', 'policyhub')];
  for (const candidate of candidates) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  throw new Error('no policyhub server to test against: set POLICYHUB_SERVER to the `policyhub` executable');
}

/** `policyhub serve` with one worker, resolved once that worker logs worker_serving. */
async function startServer(port = 0, extraArgs = []) {
  const child = spawn(serverCommand(), ['--log-level', 'info', 'serve', '--host', '127.0.0.1', '--port', String(port),
    '--workers', '1', '--grace', '2', ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  const logLines = [];
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // Read stderr to the end: the server logs a line per decision, and a full pipe would stall it.
  const lines = readline.createInterface({ input: child.stderr });
  const ready = new Promise((resolve, reject) => {
    let servingPort;
    lines.on('line', (line) => {
      logLines.push(line);
      let event;
      try { event = JSON.parse(line); } catch { return; }
      if (event.event === 'serving') servingPort = event.port;
      if (event.event === 'worker_serving') resolve(servingPort);
    });
    exited.then(() => reject(new Error(`server exited before serving:\n${logLines.join('\n')}`)));
    setTimeout(() => reject(new Error(`server did not start in 60 s:\n${logLines.join('\n')}`)), 60_000).unref();
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const boundPort = await ready;
    return { target: `127.0.0.1:${boundPort}`, stop, logLines };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A loopback port nothing listens on (free when asked). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A port that accepts connections and never answers: only a deadline ends a call to it. */
async function silentServer() {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    target: `127.0.0.1:${server.address().port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

function loadYaml(relative) {
  return YAML.parse(fs.readFileSync(path.join(REPO, relative), 'utf8'), { merge: true });
}

/** A request from the repository's examples/ (a fresh copy each time). */
function example(relative) {
  return structuredClone(loadYaml(relative));
}

/** The cases ({name, request, expect}) of policy_packs/<pack>/fixtures/<file>. */
function fixtureCases(pack, file) {
  return loadYaml(path.join('policy_packs', pack, 'fixtures', file)).cases;
}

/** The decision `policyhub eval` (the engine, no server) gives for the same request. */
function evaluatedInProcess(request) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policyhub-node-'));
  try {
    const file = path.join(dir, 'request.json');
    fs.writeFileSync(file, JSON.stringify(request));
    const done = spawnSync(serverCommand(), ['eval', file], { encoding: 'utf8', timeout: 120_000 });
    if (done.status !== 0) throw new Error(`policyhub eval failed: ${done.stdout}${done.stderr}`);
    return JSON.parse(done.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `policyhub packs`: the pack refs the server loads. */
function packRefsInProcess() {
  const done = spawnSync(serverCommand(), ['packs'], { encoding: 'utf8', timeout: 120_000 });
  if (done.status !== 0) throw new Error(done.stderr);
  return done.stdout.split('\n').filter((line) => line.trim()).map((line) => line.split(/\s+/)[0]);
}

function withoutId(decision) {
  const { decision_id: _ignored, ...rest } = decision;
  return rest;
}

function fired(decision) {
  return new Set([...decision.violations, ...decision.notes, ...decision.grades, ...decision.consequences].map((x) => x.rule_id));
}

module.exports = {
  REPO, startServer, freePort, silentServer, example, fixtureCases, evaluatedInProcess, packRefsInProcess,
  withoutId, fired,
};
