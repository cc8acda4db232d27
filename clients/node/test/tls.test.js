'use strict';
// TLS and mutual TLS against `policyhub serve --tls-cert --tls-key --tls-client-ca`.
// Certificates come from the openssl command (Node can make keys but not certificates).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { after, before, test } = require('node:test');
const { PolicyHubClient, UnavailableError } = require('..');
const h = require('./helpers');

const SERVER_NAME = 'policyhub.test'; // the only name in the server's certificate: clients must say it
let dir;
let certs;
let server;

function openssl(...args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(role, caName, extensions) {
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${role}-key.pem`);
  openssl('req', '-new', '-key', `${role}-key.pem`, '-subj', `/CN=policyhub ${role}`, '-out', `${role}.csr`);
  fs.writeFileSync(path.join(dir, `${role}.ext`), extensions);
  openssl('x509', '-req', '-in', `${role}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}-key.pem`,
    '-CAcreateserial', '-days', '1', '-extfile', `${role}.ext`, '-out', `${role}.pem`);
}

function makeCa(name) {
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}-key.pem`);
  openssl('req', '-x509', '-new', '-key', `${name}-key.pem`, '-subj', `/CN=policyhub test ${name}`, '-days', '1',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${name}.pem`);
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policyhub-tls-'));
  makeCa('server-ca');
  makeCa('client-ca');
  issue('server', 'server-ca', `basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:${SERVER_NAME}\n`);
  issue('client', 'client-ca', 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n');
  certs = Object.fromEntries(['server-ca', 'server', 'server-key', 'client', 'client-key']
    .map((name) => [name, path.join(dir, `${name}.pem`)]));
  server = await h.startServer(0, ['--tls-cert', certs.server, '--tls-key', certs['server-key'],
    '--tls-client-ca', path.join(dir, 'client-ca.pem')]);
});

after(async () => {
  if (server) await server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function client(tls, target = server.target) {
  return new PolicyHubClient(target, { tls, timeoutMs: 10_000, retry: { maxAttempts: 2, initialBackoffMs: 50 } });
}

async function failure(promise) {
  return promise.then(() => assert.fail('expected the call to fail'), (error) => error);
}

test('mutual TLS with the server\'s CA and a client certificate (paths)', async () => {
  const c = client({ rootCerts: certs['server-ca'], certChain: certs.client, privateKey: certs['client-key'], serverName: SERVER_NAME });
  try {
    assert.equal((await c.evaluate(h.example('examples/yuyao_2011/member_pledge.yaml'))).pack.id, 'yuyao_2011');
  } finally {
    c.close();
  }
});

test('PEM buffers work as well as paths', async () => {
  const read = (name) => fs.readFileSync(certs[name]);
  const c = client({ rootCerts: read('server-ca'), certChain: read('client'), privateKey: read('client-key'), serverName: SERVER_NAME });
  try {
    assert.ok((await c.listPacks()).length);
  } finally {
    c.close();
  }
});

for (const [name, tls, target] of [
  ['without a client certificate the server refuses', () => ({ rootCerts: certs['server-ca'], serverName: SERVER_NAME })],
  ['a certificate for another name is refused', // localhost, not policyhub.test
    () => ({ rootCerts: certs['server-ca'], certChain: certs.client, privateKey: certs['client-key'] }),
    () => server.target.replace('127.0.0.1', 'localhost')],
  ['plaintext to a TLS server fails', () => undefined],
]) {
  test(name, async () => {
    const c = client(tls(), target ? target() : undefined);
    try {
      const error = await failure(c.listPacks());
      assert.ok(error instanceof UnavailableError, String(error));
    } finally {
      c.close();
    }
  });
}
