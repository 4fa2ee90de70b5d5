#!/usr/bin/env node
// The `vigil` command: a thin launcher for the compiled entry point.
import('../dist/src/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/src/main.js')) {
    process.stderr.write('vigil: the compiled code is missing; run `npm run build` (or `npm ci`, which builds it) first.\n');
    process.exit(2);
  }
  throw error;
});
