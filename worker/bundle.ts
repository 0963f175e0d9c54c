// Pre-bundles the workflow code for production workers:
//   tsx worker/bundle.ts dist/workflow-bundle.js
//   WAYMARK_WORKFLOW_BUNDLE=dist/workflow-bundle.js tsx worker/main.ts
// Rebuild with every release: a bundle older than the code would replay the old logic.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflows } from './index.ts';

const target = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const { code } = await bundleWorkflows();
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, code);
console.log(`workflow bundle written to ${target} (${(code.length / 1024).toFixed(0)} KiB)`);
