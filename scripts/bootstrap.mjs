#!/usr/bin/env node
// Bootstrap: everything `npm start` and `npm test` need that is not in the repository.
// Idempotent: each step checks first and says what it found; a second run takes seconds.
// Plain Node (no dependencies) because it runs before `npm install`.
//
//   node scripts/bootstrap.mjs              npm packages + pinned tools
//   node scripts/bootstrap.mjs --for-tests  also Debian's chromium for browser tests, the
//                                           sqlite3 CLI (the backup test; `waymark backup` needs it)
//                                           and Schemathesis (PyPI) for the API conformance run
//
// Tools are built into WAYMARK_TOOLS_DIR (default ~/.cache/waymark), outside the repository,
// so every clone on this machine shares them. Paths must match embedded/tools.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = process.env.WAYMARK_TOOLS_DIR || join(homedir(), '.cache', 'waymark');
const forTests = process.argv.includes('--for-tests');

// Pinned versions live in one file that embedded/tools.ts reads too.
const versions = JSON.parse(readFileSync(join(repo, 'scripts', 'tool-versions.json'), 'utf8'));
const TEMPORAL_CLI_VERSION = versions.temporalCli;
const FERRETDB_VERSION = versions.ferretdb;
const TEST_SERVER_VERSION = versions.temporalTestServer;
const SCHEMATHESIS_VERSION = versions.schemathesis;

const steps = [
  { name: 'npm packages', run: npmPackages },
  { name: `Temporal CLI ${TEMPORAL_CLI_VERSION} (dev server)`, run: temporalCli },
  { name: `FerretDB ${FERRETDB_VERSION} (MongoDB protocol on SQLite)`, run: ferretDb },
  { name: `Temporal time-skipping test server ${TEST_SERVER_VERSION} (Java)`, run: testServer },
  ...(forTests
    ? [
        { name: "Debian's chromium and CJK fonts (browser tests)", run: chromium },
        { name: 'sqlite3 command-line tool (backup and restore)', run: sqlite3 },
        { name: `Schemathesis ${SCHEMATHESIS_VERSION} (API conformance run, from PyPI)`, run: schemathesis },
      ]
    : []),
];

const started = Date.now();
console.log(`waymark bootstrap: ${steps.length} steps, tools in ${toolsDir}`);
mkdirSync(join(toolsDir, 'logs'), { recursive: true });
for (const [i, step] of steps.entries()) {
  const t0 = Date.now();
  process.stdout.write(`[${i + 1}/${steps.length}] ${step.name} … `);
  try {
    const result = step.run();
    console.log(`${result} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (error) {
    console.log('FAILED');
    console.error(`\n${error instanceof Error ? error.message : String(error)}`);
    console.error('See README.md, "Troubleshooting a failed tool build".');
    process.exit(1);
  }
}
console.log(`waymark bootstrap: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);

/** Runs a command, logging to a file; throws with the log's tail when it fails. */
function run(cmd, args, { cwd = repo, log, env = {} } = {}) {
  const logFile = join(toolsDir, 'logs', `${log}.log`);
  const res = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(logFile, `$ ${cmd} ${args.join(' ')}\n${res.stdout ?? ''}\n${res.stderr ?? ''}`);
  if (res.error) throw new Error(`${cmd} could not start: ${res.error.message}`);
  if (res.status !== 0) {
    const tail = `${res.stdout ?? ''}\n${res.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`\`${cmd} ${args.join(' ')}\` exited with ${res.status}. Last lines (full log: ${logFile}):\n${tail}`);
  }
  return res.stdout;
}

function npmPackages() {
  const lock = join(repo, 'package-lock.json');
  const stamp = join(repo, 'node_modules', '.waymark-lock-hash');
  const hash = createHash('sha256')
    .update(readFileSync(join(repo, 'package.json')))
    .update(existsSync(lock) ? readFileSync(lock) : '')
    .digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return 'up to date';
  process.stdout.write('installing … ');
  // `npm install` follows the lock file's versions. Not `npm ci`: npm 11 leaves other platforms'
  // optional packages (e.g. @swc/core-darwin-*) out of the lock and `npm ci` then refuses it.
  // Updating in place also keeps running processes (a dev server, a test watcher) on their files.
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { log: 'npm' });
  writeFileSync(stamp, hash);
  return 'installed';
}

function temporalCli() {
  const bin = join(toolsDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'bin', 'temporal');
  if (existsSync(bin)) return `present: ${bin}`;
  process.stdout.write('go install (several minutes on first run) … ');
  run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    log: 'temporal-cli',
    env: { GOBIN: dirname(bin), GOFLAGS: '-buildvcs=false' },
  });
  return `built: ${bin}`;
}

function ferretDb() {
  const bin = join(toolsDir, `ferretdb-${FERRETDB_VERSION}-${versions.ferretdbPatch}`, 'bin', 'ferretdb');
  if (existsSync(bin)) return `present: ${bin}`;
  process.stdout.write('go build (several minutes on first run) … ');
  const info = JSON.parse(run('go', ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`], { log: 'ferretdb-download' }));
  const src = join(toolsDir, 'src', `ferretdb-${FERRETDB_VERSION}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(info.Dir, src, { recursive: true });
  run('chmod', ['-R', 'u+w', src], { log: 'ferretdb-chmod' });
  // A plain `go install` panics at start: the version file is generated by FerretDB's own build.
  mkdirSync(join(src, 'build', 'version'), { recursive: true });
  writeFileSync(join(src, 'build', 'version', 'version.txt'), FERRETDB_VERSION);
  patchFerretDb(src);
  patchSqliteLibc(src);
  run('go', ['build', '-mod=vendor', '-o', bin, './cmd/ferretdb'], { cwd: src, log: 'ferretdb-build', env: { GOFLAGS: '-buildvcs=false' } });
  return `built: ${bin}`;
}

/**
 * Waymark's patch of FerretDB 1.24 (scripts/ferretdb-v1.24.2-waymark.patch):
 * - `_id` lookups used the path `sjson->'$._id'` while the unique `_id` index is on
 *   `sjson->"_id"`; SQLite uses an expression index only for the same expression, so every
 *   lookup, update and delete by `_id` scanned the whole table. The patch writes it as the
 *   index has it.
 * - only a filter of exactly `{_id: x}` reached SQLite; the patch also pushes down `_id` (equal
 *   or `$in`) when the filter has other fields, which FerretDB's handlers apply afterwards.
 * - equality and `$in` with strings on any plain top-level field or dotted path (also in a
 *   top-level `$and`) reach SQLite as `sjson->"field"` / `sjson->"a"->"b"`, the expression
 *   FerretDB's CREATE INDEX uses, so an index on the field or path is searched (each condition
 *   also admits an array holding the value, found with json_each, and a path through an array of
 *   documents, as MongoDB's equality does); FerretDB's nested pushdown is on for SQLite so that
 *   dotted keys reach the backend at all.
 * - a keyset page with string equalities sorted by another field and `_id`, or by `_id` (the
 *   customers at a step by `since`; the customer list by stage), on a collection that declares an
 *   index on (those fields, the sort field, `_id`) is read as the first `limit` ordinary documents
 *   (every field a string) in order plus every unusual one, from an index the first such page
 *   creates.
 * - a keyset page over `_id` (a find sorted by `_id` alone whose whole filter is string bounds on
 *   `_id`, e.g. `{$and: [{}, {_id: {$gt: 'c-9'}}]}`, with a limit) is filtered, sorted and limited
 *   by SQLite on `sjson->>'$._id'` (the string itself, compared byte by byte as the handler does;
 *   `_id`s of other types left out by the document's schema), from an index the first such page
 *   creates; before, FerretDB read and sorted the whole collection for every page.
 * - `update` and `findAndModify` read, change and write a document with nothing held in between,
 *   so concurrent updates of one document were lost; the patch serialises them per document
 *   (filter on one `_id`) or per collection (any other filter) inside the FerretDB process.
 * - the statements of one `update` command (several, none `multi`) or `delete` command (several)
 *   share one SQLite transaction (BEGIN IMMEDIATE at the first write, a savepoint per write,
 *   committed at the end or after 100 ms) instead of a commit each; each update statement's read
 *   ends with it (unpatched they stayed open on a connection each, and commands of over 99
 *   updates stalled on FerretDB's pool of 100).
 * - reading documents: FerretDB tracked every iterator with a pprof profile entry and a
 *   finalizer (a stack walk per document read, a leak check meant for its debug builds); the
 *   patch tracks them only in debug builds. And it decoded each stored document level by level
 *   with a new json.Decoder per value and per schema; the patch decodes a schema once per
 *   distinct text (documents of one shape share it), splits objects and arrays into their
 *   members without copying, and reads strings, integers, dates, doubles and booleans in the
 *   plain form FerretDB writes directly (anything else, and every error, takes the old path).
 *   A full read of the customers takes a quarter of the time it did, of the events a third.
 * `git apply` refuses a patch that does not apply cleanly; embedded/ferretdb-patch.test.ts
 * checks the built server (same answers as an unpushed filter, index searches in the plans) and
 * `npm run bench -- --only=lookups` measures it.
 */
function patchFerretDb(src) {
  // `git apply` outside any repository (the ceiling stops it finding one above the tools dir).
  const patch = join(repo, 'scripts', `ferretdb-${FERRETDB_VERSION}-waymark.patch`);
  run('git', ['apply', '-p1', patch], { cwd: src, log: 'ferretdb-patch', env: { GIT_CEILING_DIRECTORIES: dirname(src) } });
}

/**
 * FerretDB's SQLite is C translated to Go (modernc.org/sqlite), and so is the C library under it
 * (modernc.org/libc): its `memcmp` compared byte by byte in a loop, its `memcpy` and `memmove`
 * four bytes at a time, its `memset` one byte at a time. SQLite calls them for every document it
 * reads, writes or indexes — each JSON field of a row an index or a filter reads compares the
 * whole document's text with the parses SQLite has cached (23% of FerretDB's CPU in a profile
 * of a campaign's first touch). Waymark's patch (scripts/modernc-libc-v1.55.3-waymark.patch, on
 * linux/amd64) makes them Go's own `bytes.Compare` and `copy`, which use the processor's vector
 * instructions: a campaign page's writes and reads take 0.93× the time and 0.95× the server CPU
 * (`npx tsx bench/ferretdb-builds.ts`, 2026-12-07). The module is vendored into the source
 * tree so the patch reaches the build; `git apply` refuses it unless it applies cleanly, and
 * every test that touches the database runs on it (embedded/ferretdb-patch.test.ts compares
 * SQLite's byte order with the handler's).
 */
function patchSqliteLibc(src) {
  run('go', ['mod', 'vendor'], { cwd: src, log: 'ferretdb-vendor', env: { GOFLAGS: '-buildvcs=false' } });
  const patch = join(repo, 'scripts', 'modernc-libc-v1.55.3-waymark.patch');
  run('git', ['apply', '-p1', '--directory=vendor/modernc.org/libc', patch], { cwd: src, log: 'ferretdb-libc-patch', env: { GIT_CEILING_DIRECTORIES: dirname(src) } });
}

function testServer() {
  const home = join(toolsDir, `temporal-test-server-${TEST_SERVER_VERSION}`);
  const wrapper = join(home, 'bin', 'temporal-test-server');
  const launcherSrc = join(repo, 'embedded', 'java', 'LoopbackTestServer.java');
  const launcherHash = createHash('sha256').update(readFileSync(launcherSrc)).digest('hex').slice(0, 12);
  const classes = join(home, `classes-${launcherHash}`);
  if (existsSync(wrapper) && existsSync(join(home, 'lib')) && existsSync(classes)) return `present: ${wrapper}`;
  process.stdout.write('resolving from Maven Central … ');
  mkdirSync(join(home, 'bin'), { recursive: true });
  writeFileSync(
    join(home, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.waymark</groupId><artifactId>test-server-deps</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>2.0.17</version></dependency>
  </dependencies>
</project>
`,
  );
  run('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(home, 'lib')}`], {
    cwd: home,
    log: 'test-server',
  });
  // Temporal's own main class binds every interface; ours binds 127.0.0.1 (same arguments).
  run('javac', ['-d', classes, '-cp', `${join(home, 'lib')}/*`, launcherSrc], { log: 'test-server-javac' });
  // The SDK spawns this as an `existing-path` executable with the port as the first argument
  // and gives it 5 s to answer: a client JIT and serial GC keep the JVM's start-up short.
  writeFileSync(
    wrapper,
    `#!/bin/sh
HOME_DIR="$(cd "$(dirname "$0")/.." && pwd)"
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp "$HOME_DIR/${`classes-${launcherHash}`}:$HOME_DIR/lib/*" dev.waymark.LoopbackTestServer "$@"
`,
  );
  chmodSync(wrapper, 0o755);
  return `installed: ${wrapper}`;
}

function sqlite3() {
  const found = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return `present: sqlite3 ${found.stdout.split(' ')[0]}`;
  if (process.getuid?.() !== 0) throw new Error('sqlite3 is missing and this user cannot apt-get install it: run `sudo apt-get install -y sqlite3`.');
  process.stdout.write('apt-get install … ');
  run('apt-get', ['update'], { log: 'apt-update' });
  run('apt-get', ['install', '-y', '--no-install-recommends', 'sqlite3'], { log: 'apt-sqlite3', env: { DEBIAN_FRONTEND: 'noninteractive' } });
  return 'installed: sqlite3';
}

function chromium() {
  // The console is in English and Simplified Chinese: without a CJK font, screenshots show boxes.
  const cjkFont = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
  if (existsSync('/usr/bin/chromium') && existsSync(cjkFont)) return 'present: /usr/bin/chromium, Noto CJK fonts';
  if (process.getuid?.() !== 0) {
    throw new Error('chromium or fonts-noto-cjk is missing and this user cannot apt-get install them: run `sudo apt-get install -y chromium fonts-noto-cjk`.');
  }
  process.stdout.write('apt-get install … ');
  run('apt-get', ['update'], { log: 'apt-update' });
  run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-noto-cjk'], { log: 'apt-chromium', env: { DEBIAN_FRONTEND: 'noninteractive' } });
  return 'installed: /usr/bin/chromium, Noto CJK fonts';
}

/**
 * Schemathesis, the OpenAPI conformance tester `api/conformance.test.ts` runs against the real
 * stack: pinned, from PyPI, in its own virtual environment under the tools directory (the same
 * path as test/schemathesis.ts).
 */
function schemathesis() {
  const home = join(toolsDir, `schemathesis-${SCHEMATHESIS_VERSION}`);
  const bin = join(home, 'bin', 'schemathesis');
  if (existsSync(bin)) return `present: ${bin}`;
  const python = process.env.PYTHON || 'python3';
  const probe = spawnSync(python, ['-c', 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 9) else 1)'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `Schemathesis needs Python >= 3.9 with the venv and ensurepip modules (\`${python}\` ${probe.error ? 'was not found' : 'is older or lacks them'}).\n` +
        'Install it, e.g. `sudo apt-get install -y python3 python3-venv`, or point PYTHON at one, and re-run.',
    );
  }
  process.stdout.write('pip install … ');
  rmSync(home, { recursive: true, force: true });
  try {
    run(python, ['-m', 'venv', home], { log: 'schemathesis-venv' });
    run(join(home, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`], { log: 'schemathesis-pip' });
  } catch (error) {
    // A half-installed environment is never left in place: the next run starts over.
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  return `installed: ${bin}`;
}
