import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The pinned Schemathesis that `node scripts/bootstrap.mjs --for-tests` installs from PyPI into
 * its own virtual environment under the tools directory (same path as the bootstrap).
 */
export function schemathesisPath(): string {
  const versions = JSON.parse(readFileSync(new URL('../scripts/tool-versions.json', import.meta.url), 'utf8')) as { schemathesis: string };
  const toolsDir = process.env['WAYMARK_TOOLS_DIR'] || join(homedir(), '.cache', 'waymark');
  const bin = join(toolsDir, `schemathesis-${versions.schemathesis}`, 'bin', 'schemathesis');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`node scripts/bootstrap.mjs --for-tests\` (it needs python3 with venv)`);
  return bin;
}

/** Runs Schemathesis with `args`; resolves with its exit code and output once it ends or `timeoutMs` passes. */
export function runSchemathesis(args: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  // Schemathesis keeps a `.schemathesis/` cache in its working directory: a throwaway one.
  const cwd = mkdtempSync(join(tmpdir(), 'waymark-schemathesis-'));
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(schemathesisPath(), args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // No colours, no telemetry, no prompt: plain text the test can print.
      env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false', COLUMNS: '160' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n(stopped after ${timeoutMs / 1000} s)`;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  }).finally(() => rmSync(cwd, { recursive: true, force: true }));
}
