#!/usr/bin/env node
// Entry point of the `pocketlm` executable (kept apart so importing the library never starts the CLI).
import { main } from './main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
