#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx yumen …` works in a checkout without a build step.
import { register } from 'tsx/esm/api';

register();
// `yumen scan` starts without loading the rest of the CLI (see src/cli/scan-main.ts).
await import(process.argv[2] === 'scan' ? '../src/cli/scan-main.ts' : '../src/cli/main.ts');
