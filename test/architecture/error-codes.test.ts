import assert from 'node:assert/strict';
import { test } from 'node:test';
import { strayErrorCodes } from './error-codes.ts';
import { productFiles } from './layers.ts';

const repo = new URL('../../', import.meta.url).pathname;

test('the check catches a code written as a string literal, in any quotes, naming file and line', () => {
  const files = [
    {
      path: 'src/edge/proxy/x.ts',
      text: "import { ErrorCode } from '../../errors/catalogue.ts';\nsendErrorPage(res, 'ERR_EDGE_NO_BACKEND', id);",
    },
    { path: 'src/api/y.ts', text: 'throw invalid("ERR_NGROK_215", field, why);\nconst c = `ERR_SOMETHING_NEW`;' },
    { path: 'src/edge/z.ts', text: "if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return;" },
    {
      path: 'src/edge/fine.ts',
      text: "/** Answers ERR_EDGE_NO_BACKEND ('ERR_EDGE_NO_BACKEND'). */\nsendErrorPage(res, ErrorCode.ERR_EDGE_NO_BACKEND, id);\n// 'ERR_X' in a comment\nif (e.code === 'FST_ERR_MAX_PARAM_LENGTH') return;",
    },
    {
      path: 'src/errors/api.ts',
      text: "export const apiErrors = { ERR_API_BAD_URL: { status: 400, message: 'ERR_' } };\nconst n = 'ERR_NGROK_1';",
    },
  ];
  assert.deepEqual(strayErrorCodes(files), [
    "src/edge/proxy/x.ts:2: 'ERR_EDGE_NO_BACKEND'",
    'src/api/y.ts:1: "ERR_NGROK_215"',
    'src/api/y.ts:2: `ERR_SOMETHING_NEW`',
    "src/edge/z.ts:1: 'ERR_HTTP_REQUEST_TIMEOUT'",
  ]);
});

test('no product file outside src/errors writes an error code as a string literal', () => {
  assert.deepEqual(strayErrorCodes(productFiles(repo)), []);
});
