'use strict';
// `npm pack` / `npm publish`: put a copy of the repository's proto/policyhub into the package
// (proto/), which lib/schema.js prefers when present; `--remove` (postpack) takes it out again,
// so that in the repository ../../proto stays the only copy.
const fs = require('node:fs');
const path = require('node:path');

const packed = path.join(__dirname, '..', 'proto');
fs.rmSync(packed, { recursive: true, force: true });
if (!process.argv.includes('--remove')) {
  const source = path.join(__dirname, '..', '..', '..', 'proto', 'policyhub');
  fs.cpSync(source, path.join(packed, 'policyhub'), { recursive: true });
}
