#!/usr/bin/env node
// The `inopsio-env` executable: all behaviour is in cli.ts (`main`), which never exits the process itself.
import { main } from './cli';

process.exitCode = main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
