// Backup and restore of the embedded default's data directory: Temporal's SQLite, FerretDB's
// SQLite files, the SMTP inbox and SMS sandboxes (JSON lines), the worker's send journal and the
// generated secrets. Backups are taken while Waymark runs: each SQLite file is copied with
// `VACUUM INTO` (one read transaction, so a consistent snapshot while the service writes);
// restores need Waymark stopped.
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { dataLayout } from './index.ts';
import { runningOn } from './run-dir.ts';
import { temporalDbFile } from './temporal.ts';

const run = promisify(execFile);

/** Files kept as they are (secrets, so signed links and keys stay valid). */
const plainFiles = ['secret', 'admin-api-key', 'sms-sandbox-token', 'aliyun-sms-sandbox-secret'];
/** Append-only JSON-lines files: copied up to their last complete line. */
const journals = (dataDir: string) => {
  const layout = dataLayout(dataDir);
  return [join(layout.inbox, 'inbox.jsonl'), join(layout.sms, 'sms.jsonl'), join(layout.aliyunSms, 'aliyun-sms.jsonl'), join(dataDir, 'send-journal.jsonl')];
};

export interface BackupManifest {
  format: 'waymark-backup';
  version: 1;
  createdAt: string;
  files: string[];
}

/** A problem the user can fix (stop Waymark, install sqlite3, pick another file): printed without a stack. */
export class BackupError extends Error {}

async function sqliteCopy(source: string, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  try {
    // Busy timeout: wait for a writer's transaction to end rather than fail. A service that keeps
    // writing can hold the database past it: the copy is tried again (a partial copy removed).
    for (let attempt = 1; ; attempt++) {
      try {
        await run('sqlite3', ['-cmd', '.timeout 10000', source, `VACUUM INTO '${target.replaceAll("'", "''")}'`]);
        break;
      } catch (error) {
        if (attempt >= 5 || !(error instanceof Error) || !/database is locked|database is busy/.test(error.message)) throw error;
        rmSync(target, { force: true });
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new BackupError('backup and restore need the sqlite3 command-line tool: install it (Debian/Ubuntu: apt-get install sqlite3).');
    }
    throw new BackupError(`could not copy ${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A JSON-lines file without a last line cut off mid-write. */
function copyCompleteLines(source: string, target: string): void {
  const text = readFileSync(source, 'utf8');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text.slice(0, text.lastIndexOf('\n') + 1));
}

/**
 * Writes a backup of `dataDir` to `file` (a gzipped tar). Safe while Waymark runs. The stores
 * are copied in the order that makes a restored run find its effects: Temporal first, then
 * FerretDB (the ledger), then the inbox and journals; an effect a restored run would repeat is
 * found in the ledger or the send journal.
 */
export async function backup(dataDir: string, file: string): Promise<BackupManifest> {
  const layout = dataLayout(dataDir);
  const temporal = temporalDbFile(dataDir);
  if (!existsSync(temporal) && !existsSync(layout.ferretdb)) {
    throw new BackupError(`${dataDir} holds no embedded data (no temporal.sqlite, no ferretdb/): nothing to back up. Set WAYMARK_DATA_DIR or --data-dir.`);
  }
  const staging = mkdtempSync(join(tmpdir(), 'waymark-backup-'));
  try {
    const files: string[] = [];
    const add = (relative: string) => files.push(relative);
    if (existsSync(temporal)) {
      await sqliteCopy(temporal, join(staging, 'temporal.sqlite'));
      add('temporal.sqlite');
    }
    if (existsSync(layout.ferretdb)) {
      mkdirSync(join(staging, 'ferretdb'));
      for (const name of readdirSync(layout.ferretdb)) {
        const source = join(layout.ferretdb, name);
        if (!statSync(source).isFile() || /-(wal|shm|journal)$/.test(name)) continue;
        if (name.endsWith('.sqlite')) await sqliteCopy(source, join(staging, 'ferretdb', name));
        else copyFileSync(source, join(staging, 'ferretdb', name));
        add(`ferretdb/${name}`);
      }
    }
    for (const source of journals(dataDir)) {
      if (!existsSync(source)) continue;
      const relative = source.slice(resolve(dataDir).length + 1);
      copyCompleteLines(source, join(staging, relative));
      add(relative);
    }
    for (const name of plainFiles) {
      if (!existsSync(join(dataDir, name))) continue;
      copyFileSync(join(dataDir, name), join(staging, name));
      add(name);
    }
    const manifest: BackupManifest = { format: 'waymark-backup', version: 1, createdAt: new Date().toISOString(), files };
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    mkdirSync(dirname(resolve(file)), { recursive: true });
    const partial = `${resolve(file)}.partial`;
    await run('tar', ['-czf', partial, '-C', staging, '.']);
    chmodSync(partial, 0o600); // it holds the secrets and the customers' data
    renameSync(partial, resolve(file));
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Restores a backup into `dataDir`. Refuses while Waymark runs on it, and refuses to replace
 * data already there unless `force` (then the restored files replace those).
 */
export async function restore(file: string, dataDir: string, options: { force?: boolean } = {}): Promise<BackupManifest> {
  const pid = runningOn(dataDir);
  if (pid !== null) throw new BackupError(`Waymark is running on ${dataDir} (pid ${pid}): stop it first (Ctrl-C in its terminal), then restore.`);
  if (!existsSync(file)) throw new BackupError(`${file}: no such file.`);
  const layout = dataLayout(dataDir);
  const present = [temporalDbFile(dataDir), layout.ferretdb].filter((p) => existsSync(p));
  if (present.length > 0 && !options.force) {
    throw new BackupError(`${dataDir} already holds data (${present.join(', ')}): restore into an empty directory (WAYMARK_DATA_DIR or --data-dir), or pass --force to replace it.`);
  }
  const staging = mkdtempSync(join(tmpdir(), 'waymark-restore-'));
  try {
    try {
      await run('tar', ['-xzf', resolve(file), '-C', staging]);
    } catch (error) {
      throw new BackupError(`${file} is not a Waymark backup (tar: ${error instanceof Error ? error.message.split('\n')[1] ?? error.message : String(error)}).`);
    }
    const manifestFile = join(staging, 'manifest.json');
    const manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Partial<BackupManifest>) : {};
    if (manifest.format !== 'waymark-backup' || manifest.version !== 1 || !Array.isArray(manifest.files)) {
      throw new BackupError(`${file} is not a Waymark backup (no manifest.json of format waymark-backup, version 1).`);
    }
    mkdirSync(dataDir, { recursive: true });
    if (manifest.files.some((f) => f.startsWith('ferretdb/'))) rmSync(layout.ferretdb, { recursive: true, force: true });
    for (const relative of manifest.files) {
      if (relative.split('/').includes('..')) throw new BackupError(`${file}: unexpected path ${relative}.`);
      const target = join(dataDir, relative);
      mkdirSync(dirname(target), { recursive: true });
      for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true });
      copyFileSync(join(staging, relative), target);
    }
    return manifest as BackupManifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
