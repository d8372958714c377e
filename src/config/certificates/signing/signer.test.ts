import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LINGER_MS, sign } from './signer.ts';

/** Pids of this process's signing processes. */
function children(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes('signing/child.ts'))
    .map((line) => Number.parseInt(line, 10));
}

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  for (let waited = 0; waited < ms && !check(); waited += 50) await sleep(50);
  assert.ok(check(), what);
}

test('a burst of tasks shares one signing process, which exits once it is idle', async () => {
  const ca = await sign({ kind: 'local-ca' });
  const signers = children();
  assert.equal(signers.length, 1, 'one signing process while tasks come');
  const leaves = await Promise.all(
    ['a.example.test', 'b.example.test'].map((name) =>
      sign({ kind: 'leaf', ca, leaf: { commonName: name, dnsNames: [name], ipAddresses: [], days: 7 } }),
    ),
  );
  assert.deepEqual(children(), signers, 'the same process made the leaves');
  const caCert = new X509Certificate(ca.certPem);
  for (const leaf of leaves) assert.ok(new X509Certificate(leaf.certPem).verify(caCert.publicKey));
  await until(() => children().length === 0, 'the signing process exits once idle', LINGER_MS + 5_000);
});

test('a signing process that dies fails its tasks with a code, and the next task starts a new one', async () => {
  const task = sign({ kind: 'saml-signing-key', commonName: 'sp.example.test' });
  const [pid] = children();
  assert.ok(pid, 'a signing process runs');
  process.kill(pid, 'SIGKILL');
  await assert.rejects(task, (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_TLS_SIGNING_FAILED');
    assert.match(err.message, /the signing process failed: it exited \(SIGKILL\)/);
    return true;
  });
  const key = await sign({ kind: 'saml-signing-key', commonName: 'sp.example.test' });
  assert.match(new X509Certificate(key.certPem).subject, /CN=sp\.example\.test/);
  assert.match(key.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
});

test('a task the signing process cannot make fails with its reason and leaves the process serving', async () => {
  const broken = { certPem: 'not a certificate', keyPem: 'not a key' };
  const leaf = { commonName: 'x.example.test', dnsNames: ['x.example.test'], ipAddresses: [], days: 1 };
  await assert.rejects(sign({ kind: 'leaf', ca: broken, leaf }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_TLS_SIGNING_FAILED');
    assert.match(err.message, /\(Unsupported format/);
    return true;
  });
  const ca = await sign({ kind: 'local-ca' });
  assert.ok(new X509Certificate(ca.certPem).ca);
});

test('a signing process that stops answering fails its tasks after a minute, and the next task starts a new one', async (t) => {
  // The minute passes on mocked timers; the child is stopped (SIGSTOP) before it can answer.
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const task = sign({ kind: 'saml-signing-key', commonName: 'sp.example.test' });
  const [pid] = children();
  assert.ok(pid, 'a signing process runs');
  process.kill(pid, 'SIGSTOP');
  mock.timers.tick(59_999);
  let settled = false;
  void task.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, 'the task still waits just before the minute');
  mock.timers.tick(1);
  await assert.rejects(task, (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_TLS_SIGNING_FAILED');
    assert.match(err.message, /the signing process failed: it did not answer within 60 s/);
    return true;
  });
  mock.timers.reset();
  // The stopped child was killed, not left behind.
  await until(() => !children().includes(pid), 'the stopped signing process is gone');
  const key = await sign({ kind: 'saml-signing-key', commonName: 'sp.example.test' });
  assert.match(new X509Certificate(key.certPem).subject, /CN=sp\.example\.test/);
});

test('a signing process that dies while idle is replaced, and its own idle timer never lets go of the next one', async (t) => {
  // Mocked timers run each process's ten idle seconds; the processes and their messages are real.
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const soon = async (check: () => boolean, what: string): Promise<void> => {
    for (let i = 0; i < 2_000 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(check(), what);
  };
  await sign({ kind: 'saml-signing-key', commonName: 'first.example.test' });
  const [first] = children();
  assert.ok(first, 'a signing process runs');
  process.kill(first, 'SIGKILL');
  // Gone from ps even as a zombie: this process has reaped it and seen its exit.
  const listed = (): boolean =>
    execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .some((line) => Number.parseInt(line, 10) === first);
  await soon(() => !listed(), 'the killed process is reaped');
  await new Promise((resolve) => setImmediate(resolve));
  mock.timers.tick(LINGER_MS / 2);
  await sign({ kind: 'saml-signing-key', commonName: 'second.example.test' });
  const [second] = children();
  assert.ok(second && second !== first, 'a new signing process serves the next task');
  // The dead process's idle time ends here, halfway through the new one's.
  mock.timers.tick(LINGER_MS / 2);
  await sign({ kind: 'saml-signing-key', commonName: 'third.example.test' });
  assert.deepEqual(children(), [second], 'the idle process serves it; no second one is started');
});

test('tasks given to an idle signing process that has just died are made by a new one', async () => {
  await sign({ kind: 'saml-signing-key', commonName: 'first.example.test' });
  const [first] = children();
  assert.ok(first, 'a signing process runs');
  // Killed and asked in the same turn: this process has not yet seen it exit.
  process.kill(first, 'SIGKILL');
  const names = ['a.example.test', 'b.example.test'];
  const keys = await Promise.all(names.map((commonName) => sign({ kind: 'saml-signing-key', commonName })));
  assert.deepEqual(
    keys.map((key) => new X509Certificate(key.certPem).subject),
    names.map((name) => `CN=${name}`),
  );
  const [next] = children();
  assert.ok(next && next !== first, 'a new signing process made them');
});
