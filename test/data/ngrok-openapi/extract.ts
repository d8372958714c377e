/**
 * Regenerates the read-shape schemas in this folder from ngrok's published OpenAPI document:
 *   node --import tsx test/data/ngrok-openapi/extract.ts <path to ngrok.yaml> <commit>
 * Each <Schema>.json lists the schema's properties (name → type, or the schema it refers to)
 * and, under `refs`, every schema it reaches, so a test can walk nested objects. names.json
 * holds ngrok's names only: every operation's operationId, tag and schemas, and every
 * component schema's property names (test/api/openapi.test.ts compares Portico's document).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

interface Prop {
  type?: string;
  $ref?: string;
  items?: Prop;
}
type Schemas = Record<string, { properties?: Record<string, Prop> }>;
type Media = { content?: Record<string, { schema?: Prop }> };
interface Operation {
  operationId: string;
  tags: string[];
  requestBody?: Media;
  responses: Record<string, Media>;
}

/** The read shapes Portico serves (events resources included for their own tests). */
export const readShapes = [
  'APIKey',
  'CertificateAuthority',
  'Credential',
  'Endpoint',
  'EventDestination',
  'EventSubscription',
  'FailoverBackend',
  'HTTPResponseBackend',
  'HTTPSEdge',
  'HTTPSEdgeRoute',
  'IPPolicy',
  'IPPolicyRule',
  'IPRestriction',
  'ReservedAddr',
  'ReservedDomain',
  'StaticBackend',
  'TCPEdge',
  'TLSCertificate',
  'TLSEdge',
  'Tunnel',
  'TunnelGroupBackend',
  'TunnelSession',
  'WeightedBackend',
];

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

function simplify(p: Prop): unknown {
  if (p.$ref) return { ref: refName(p.$ref) };
  if (p.type === 'array') return { type: 'array', items: p.items ? simplify(p.items) : {} };
  return { type: p.type ?? 'object' };
}

function shape(schemas: Schemas, name: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schemas[name]?.properties ?? {}).map(([k, v]) => [k, simplify(v)]));
}

function reached(schemas: Schemas, name: string, seen = new Set<string>()): Set<string> {
  for (const p of Object.values(schemas[name]?.properties ?? {})) {
    const ref = p.$ref ?? p.items?.$ref;
    if (ref && !seen.has(refName(ref))) {
      seen.add(refName(ref));
      reached(schemas, refName(ref), seen);
    }
  }
  return seen;
}

const schemaOf = (media: Media | undefined) => {
  const ref = media?.content?.['application/json']?.schema?.$ref;
  return ref ? refName(ref) : null;
};

/** ngrok's names: `operations[path][method]` and each schema's property names. */
function names(
  doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Schemas } },
  source: string,
) {
  const operations: Record<string, Record<string, unknown>> = {};
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const [status, response] = Object.entries(op.responses)[0]!;
      (operations[path] ??= {})[method] = {
        operationId: op.operationId,
        tag: op.tags[0],
        request: schemaOf(op.requestBody),
        status,
        response: schemaOf(response),
      };
    }
  const schemas = Object.fromEntries(
    Object.entries(doc.components.schemas).map(([name, s]) => [name, Object.keys(s.properties ?? {})]),
  );
  return { source, operations, schemas };
}

function main(): void {
  const [file, commit] = process.argv.slice(2);
  if (!file || !commit) throw new Error('usage: extract.ts <ngrok.yaml> <commit>');
  const doc = parse(readFileSync(file, 'utf8')) as Parameters<typeof names>[0];
  const schemas = doc.components.schemas;
  const here = dirname(fileURLToPath(import.meta.url));
  const source = `ngrok/ngrok-openapi@${commit}:ngrok.yaml`;
  writeFileSync(join(here, 'names.json'), JSON.stringify(names(doc, source), null, 2) + '\n');
  for (const name of readShapes) {
    const refs = Object.fromEntries([...reached(schemas, name)].sort().map((r) => [r, shape(schemas, r)]));
    const out = {
      source: `ngrok/ngrok-openapi@${commit}:ngrok.yaml`,
      schema: name,
      properties: shape(schemas, name),
      refs,
    };
    writeFileSync(join(here, `${name}.json`), JSON.stringify(out, null, 2) + '\n');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
