import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the bootstrap builds pinned tools (outside the repository, shared by clones). */
export const toolsDir = process.env.WAYMARK_TOOLS_DIR || join(homedir(), '.cache', 'waymark');

const versions: { temporalCli: string; ferretdb: string; ferretdbPatch: string; temporalTestServer: string } = JSON.parse(
  readFileSync(new URL('../scripts/tool-versions.json', import.meta.url), 'utf8'),
);

/** Paths of the pinned tools; scripts/bootstrap.mjs builds them at exactly these places. */
export const tools = {
  temporal: join(toolsDir, `temporal-cli-${versions.temporalCli}`, 'bin', 'temporal'),
  ferretdb: join(toolsDir, `ferretdb-${versions.ferretdb}-${versions.ferretdbPatch}`, 'bin', 'ferretdb'),
  testServer: join(toolsDir, `temporal-test-server-${versions.temporalTestServer}`, 'bin', 'temporal-test-server'),
  chromium: '/usr/bin/chromium',
} as const;
