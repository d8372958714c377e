import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ErrorCode } from '../../../errors/catalogue.ts';
import { commonCreate, commonPatch, commonRead, Description, Metadata, type CommonDoc } from '../../resource-fields.ts';
import type { ApiDeps } from '../../context.ts';
import { registerCrud } from '../../crud.ts';
import { invalid } from '../../errors.ts';
import { checkEditableHeaderName, checkHeaderValue } from '../../header-fields.ts';
import { httpResponseBackend, refuseDeleteInUse } from './backend-kinds.ts';

/** Stored HTTP-response backend: the fixed answer it gives. */
interface HttpResponseBackendDoc extends CommonDoc {
  body: string;
  /** Header name → value, names as given (lower-cased on read). */
  headers: Record<string, string>;
  /** 200..599; default 200. */
  status_code: number;
}

const HttpResponseBackendCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  body: Type.Optional(Type.String()),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  status_code: Type.Optional(Type.Integer()),
});
type HttpResponseBackendCreate = Static<typeof HttpResponseBackendCreate>;

function statusCode(value: number): number {
  // A 1xx is an interim answer: the client would keep waiting for the final one.
  if (value < 200 || value > 599)
    throw invalid(ErrorCode.ERR_NGROK_215, 'status_code', `${value} is not a final HTTP status; use 200 to 599`);
  return value;
}

function headers(value: Record<string, string>): Record<string, string> {
  for (const [name, v] of Object.entries(value)) {
    // The edge frames the answer itself (its length from body): these headers are added to it.
    checkEditableHeaderName(name, `headers.${name}`, 'add');
    checkHeaderValue(v, `headers.${name}`);
  }
  return value;
}

/** HTTP-response backends: answer every request with a fixed status, headers and body. */
export function registerHttpResponseBackends(app: FastifyInstance, deps: ApiDeps): void {
  const { kind, prefix, path } = httpResponseBackend;
  registerCrud<HttpResponseBackendDoc, HttpResponseBackendCreate, HttpResponseBackendCreate>(app, deps, {
    path,
    kind,
    prefix,
    listKey: 'backends',
    createSchema: HttpResponseBackendCreate,
    updateSchema: HttpResponseBackendCreate,
    create: async (body) => ({
      doc: {
        ...commonCreate(body),
        body: body.body ?? '',
        headers: headers(body.headers ?? {}),
        status_code: statusCode(body.status_code ?? 200),
      },
    }),
    update: async (doc, body) => ({
      ...commonPatch(doc, body),
      ...(body.body !== undefined && { body: body.body }),
      ...(body.headers !== undefined && { headers: headers(body.headers) }),
      ...(body.status_code !== undefined && { status_code: statusCode(body.status_code) }),
    }),
    read: (record, ctx) => ({
      ...commonRead(ctx, path, record),
      body: record.doc.body,
      headers: Object.fromEntries(Object.entries(record.doc.headers).map(([k, v]) => [k.toLowerCase(), v])),
      status_code: record.doc.status_code,
    }),
    beforeDelete: refuseDeleteInUse,
  });
}
