import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  catalogueParts,
  errorCatalogue,
  ErrorCode,
  isNgrokCode,
  ngrokCodeOf,
  PorticoError,
  type ErrorEntry,
} from './catalogue.ts';
import { nodeErrorCode } from './foreign.ts';

const entries = Object.entries(errorCatalogue) as Array<[ErrorCode, ErrorEntry]>;

test('every code is in exactly one part of the catalogue', () => {
  const seen = new Map<string, number>();
  catalogueParts.forEach((part, i) => {
    for (const code of Object.keys(part)) {
      assert.ok(!seen.has(code), `${code} is in part ${seen.get(code)} and part ${i}`);
      seen.set(code, i);
    }
  });
  assert.equal(seen.size, entries.length);
});

test('every entry has a code shaped ERR_…, an HTTP status and a message that ends a sentence', () => {
  for (const [code, entry] of entries) {
    assert.match(code, /^ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/, code);
    assert.ok(
      Number.isInteger(entry.status) && entry.status >= 400 && entry.status <= 599,
      `${code}: status ${entry.status}`,
    );
    assert.ok(entry.message.trim().length > 10, `${code}: message "${entry.message}"`);
    assert.match(
      entry.message,
      /[.?]$/,
      `${code}: the message should end a sentence (a detail follows in parentheses)`,
    );
  }
});

test('ngrok numbers are well formed, and none stands for two cases', () => {
  const owners = new Map<string, ErrorCode>();
  for (const [code, entry] of entries) {
    if (entry.ngrok !== undefined) {
      assert.ok(isNgrokCode(entry.ngrok), `${code}: "${entry.ngrok}" is not ERR_NGROK_<n>`);
      assert.ok(!isNgrokCode(code), `${code} is ngrok's own code; it needs no ngrok field`);
    }
    const ngrok = ngrokCodeOf(code);
    if (ngrok === undefined) continue;
    assert.ok(!owners.has(ngrok), `${ngrok} is used by both ${owners.get(ngrok)} and ${code}`);
    owners.set(ngrok, code);
  }
  assert.ok(owners.size > 0);
});

test('codes named ERR_NGROK_<n> are their own ngrok code; ours map to the number given, or none', () => {
  assert.equal(ngrokCodeOf(ErrorCode.ERR_NGROK_215), 'ERR_NGROK_215');
  assert.equal(ngrokCodeOf(ErrorCode.ERR_EDGE_TUNNEL_NOT_FOUND), 'ERR_NGROK_3200');
  assert.equal(ngrokCodeOf(ErrorCode.ERR_EDGE_ROUTE_NOT_FOUND), undefined);
  assert.equal(isNgrokCode('ERR_NGROK_'), false);
  assert.equal(isNgrokCode('ERR_NGROK_0215'), false);
});

test('ErrorCode names every code by itself, and a PorticoError takes its status and message from the entry', () => {
  assert.deepEqual(Object.keys(ErrorCode), Object.keys(errorCatalogue));
  for (const [code, value] of Object.entries(ErrorCode)) assert.equal(value, code);
  const err = new PorticoError(ErrorCode.ERR_EDGE_NO_BACKEND, 'route /api');
  assert.equal(err.status, 503);
  assert.equal(err.message, `${errorCatalogue.ERR_EDGE_NO_BACKEND.message} (route /api)`);
});

test('codes that are not ours are not in the catalogue', () => {
  for (const code of Object.values(nodeErrorCode)) assert.ok(!Object.hasOwn(errorCatalogue, code), code);
});
