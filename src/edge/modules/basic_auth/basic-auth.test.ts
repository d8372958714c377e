import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { admits } from './basic-auth.ts';

const sha = (s: string) => createHash('sha256').update(s).digest();
const credentials = [
  { user: sha('user'), password: sha('password1') },
  { user: sha('other'), password: sha('pass:word2') },
];
const header = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

test('admits only a username and password pair it holds; the password may hold ":"', () => {
  assert.equal(admits(credentials, header('user:password1')), true);
  assert.equal(admits(credentials, header('other:pass:word2')), true);
  assert.equal(admits(credentials, `bAsIc   ${Buffer.from('user:password1').toString('base64')}`), true);
  assert.equal(admits(credentials, header('user:pass:word2')), false, "another user's password");
  assert.equal(admits(credentials, header('user:')), false);
  assert.equal(admits(credentials, header('userpassword1')), false, 'no colon');
  assert.equal(admits(credentials, 'Bearer abc'), false);
  assert.equal(admits(credentials, undefined), false);
});
