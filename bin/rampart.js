#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

const argv = process.argv.slice(2);
// A reader that stopped reading (`| head`) ends a command's output: it exits quietly, as
// command-line tools do, instead of failing on the write. Not the server: its output is its
// request log, and a log reader going away must not stop it.
if (argv[0] !== 'serve') {
  process.stdout.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
