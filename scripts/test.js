// Runs every *.test.ts under src/ and test/ with node:test. Node 20 finds no .ts files when given a
// folder, so the files are listed here explicitly. Extra arguments narrow the run to matching paths.
// --test-force-exit: the official ngrok SDK's native runtime keeps a process alive after its
// sessions close, so a file that used it would otherwise never exit.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ['src', 'test'].flatMap(find).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-force-exit', '--test-concurrency=2', '--test-timeout=120000', ...files];
const run = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(run.status ?? 1);
