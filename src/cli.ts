#!/usr/bin/env node
import { createRequire } from 'node:module';

/**
 * `node dist/cli.js …`: the command line, for whoever runs it by this path. The command itself
 * is bin.cjs (package.json's bin), CommonJS so that starting costs little: see there.
 */
createRequire(import.meta.url)('./bin.cjs');
