import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Command } from 'commander';
import { agentCommands } from './agent-commands.ts';
import { singleDashFlagHint } from './single-dash.ts';
import { porticoBin as bin } from '../../test/support/cli.ts';

function program(): Command {
  const p = new Command('portico').version('1.0.0');
  for (const c of agentCommands(async () => {})) p.addCommand(c);
  return p;
}

const hintFor = (...argv: string[]) => singleDashFlagHint(program(), argv);

test('ngrok-style single-dash flags get the two-dash spelling with their value', () => {
  assert.equal(
    hintFor('http', '-subdomain=foo', '3000'),
    "-subdomain=foo is spelled the way ngrok's agent spells flags; Portico's take two dashes: --subdomain foo",
  );
  assert.match(hintFor('http', '3000', '-region=us')!, /: --region us$/);
  assert.match(hintFor('http', '-authtoken', 'tok_1', '3000')!, /: --authtoken tok_1$/);
  assert.match(hintFor('http', '3000', '-log=stdout')!, /: --log stdout$/);
  assert.match(hintFor('tcp', '22', '-remote-addr=localhost:20001')!, /: --remote-addr localhost:20001$/);
  assert.match(hintFor('http', '3000', '-metadata=two words')!, /: --metadata 'two words'$/);
  assert.match(hintFor('http', '3000', '-pooling-enabled')!, /: --pooling-enabled$/);
  assert.match(hintFor('http', '3000', '-subdomain')!, /: --subdomain <subdomain>$/);
  assert.match(hintFor('config', 'add-authtoken', 'tok', '-config=/tmp/p.yml')!, /: --config \/tmp\/p\.yml$/);
});

test('a single-dash flag Portico does not have says so and points at --help', () => {
  assert.equal(
    hintFor('http', '3000', '-bind-tls=true'),
    "-bind-tls=true: Portico's flags take two dashes (--bind-tls), and `portico http` has no --bind-tls flag; see `portico http --help`",
  );
});

test('a flag with an optional value is spelled with the value attached', () => {
  assert.match(hintFor('http', '3000', '-inspect=false')!, /two dashes: --inspect=false$/);
});

test('real short flags, two-dash flags, option values that start with a dash and arguments after -- pass', () => {
  assert.equal(hintFor('http', '-h'), undefined);
  assert.equal(hintFor('-V'), undefined);
  assert.equal(hintFor('http', '3000', '--subdomain', 'foo', '--region=eu'), undefined);
  assert.equal(hintFor('http', '3000', '--metadata', '-looks-like-a-flag'), undefined);
  assert.equal(hintFor('http', '3000', '--', '-subdomain=foo'), undefined);
  assert.equal(hintFor('http', '-1'), undefined);
});

test('through the portico binary: ERROR with the hint, exit 1, before anything connects', () => {
  const r = spawnSync(process.execPath, [bin, 'http', '-subdomain=foo', '3000'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    "ERROR: -subdomain=foo is spelled the way ngrok's agent spells flags; Portico's take two dashes: --subdomain foo\n",
  );
  assert.equal(r.stdout, '');
});
