'use strict';
// The README's example runs as written against a live server.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { test } = require('node:test');
const h = require('./helpers');

test('the README example runs', async () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const code = readme.match(/```js\n([\s\S]*?)```/)[1];
  assert.ok(code.trim().split('\n').length < 20);
  const server = await h.startServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policyhub-readme-'));
  try {
    const file = path.join(dir, 'example.js');
    fs.writeFileSync(file, code.replace("require('policyhub-client')", `require(${JSON.stringify(path.join(__dirname, '..'))})`)
      .replace('127.0.0.1:50051', server.target));
    const done = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /^false \[[^\]]*'yuyao_2011\.pledge\.copies'/); // no copies filed
    assert.match(done.stdout, /^\[ 'excellent' \]$/m);
    assert.match(done.stdout, /^0 false\n1 true\n/m);
    assert.match(done.stdout, /2 \[\s*\{\s*field: 'pledge\.copies'/);
    assert.match(done.stdout, /true \[\s*\{\s*field: 'date'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
});
