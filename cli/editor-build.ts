import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'e2e') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the editor with Vite when `editor/dist` is missing or older than its sources (the
 * editor and the core it compiles with). Returns what it did, for the start-up log.
 */
export function ensureEditorBuilt(): 'up to date' | 'built' | 'no editor' {
  const index = join(repo, 'editor', 'dist', 'index.html');
  const config = join(repo, 'editor', 'vite.config.ts');
  if (!existsSync(config)) return 'no editor';
  const sources = Math.max(newestMtime(join(repo, 'editor')), newestMtime(join(repo, 'journey')), newestMtime(join(repo, 'api', 'wire')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return 'up to date';
  const vite = join(repo, 'node_modules', '.bin', 'vite');
  const result = spawnSync(vite, ['build', '--config', config, '--logLevel', 'warn'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`building the editor failed (vite exited with ${result.status ?? result.signal})`);
  return 'built';
}
