// Runs every *.test.ts under src/ and test/ with node:test. Node 20 finds no .ts files when given a
// folder, so the files are listed here explicitly. Extra arguments narrow the run to matching paths.
// --test-timeout applies to each file as a whole (the SIGKILL test may wait 125 s for the SDK).
// --test-force-exit: the official ngrok SDK's native runtime keeps a process alive after its
// sessions close, so a file that used it would otherwise never exit.
//
// When PORTICO_TEST_DATABASE_URL names a PostgreSQL server (a maintenance URL such as
// postgres://edge@127.0.0.1:55432/postgres), a second pass runs the API tests (test/api/) and the
// store contract suite again with PORTICO_TEST_STORE=postgres, so every edge they start keeps its
// store in a fresh PostgreSQL database. Both passes must pass.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Runs node:test on `files` with `env` added; true when every test passed. */
function run(title, files, env = {}) {
  console.log(`\n=== ${title}: ${files.length} file(s) ===\n`);
  const args = [
    '--import',
    'tsx',
    '--test',
    '--test-force-exit',
    '--test-concurrency=2',
    '--test-timeout=300000',
    ...files,
  ];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status === 0;
}

const filters = process.argv.slice(2);
const files = ['src', 'test']
  .flatMap(find)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const databaseUrl = process.env.PORTICO_TEST_DATABASE_URL;
const postgresFiles = files.filter((f) => f.startsWith(`test${sep}api${sep}`) || f.endsWith('.contract.test.ts'));
const passes = [
  {
    title: databaseUrl
      ? 'pass 1/2: all tests (SQLite stores; the contract suite on both engines)'
      : 'all tests (SQLite stores)',
    files,
    env: {},
  },
];
if (databaseUrl && postgresFiles.length > 0) {
  passes.push({
    title: 'pass 2/2: API tests and store contract on PostgreSQL (PORTICO_TEST_STORE=postgres)',
    files: postgresFiles,
    env: { PORTICO_TEST_STORE: 'postgres' },
  });
}

const failed = passes.filter((pass) => !run(pass.title, pass.files, pass.env));
if (passes.length > 1) {
  console.log('');
  for (const pass of passes) console.log(`${failed.includes(pass) ? 'FAIL' : 'ok  '}  ${pass.title}`);
}
process.exit(failed.length === 0 ? 0 : 1);
