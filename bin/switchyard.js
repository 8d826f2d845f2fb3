#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm run build`, which `npm install` runs through `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((error) => {
  process.stderr.write(`switchyard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
