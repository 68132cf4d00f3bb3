#!/usr/bin/env node
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Node >= 22.1 caches the compilation of ES modules (zod's, a peer loaded as
// ESM, among them): about the start-up that Node 20 pays for loading zod's
// files. In the user's own cache directory, never a shared temp directory,
// since V8 does not treat cached code as untrusted input. Absent on Node 20.
module.enableCompileCache?.(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'envward', 'compile'));

const { runCli } = await import('../dist/cli.js');
process.exitCode = await runCli(process.argv.slice(2));
