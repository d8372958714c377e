/**
 * Regenerates the read-shape schemas in this folder from ngrok's published OpenAPI document:
 *   node --import tsx test/data/ngrok-openapi/extract.ts <path to ngrok.yaml> <commit>
 * Each <Schema>.json lists the schema's properties (name → type, or the schema it refers to)
 * and, under `refs`, every schema it reaches, so a test can walk nested objects.
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

/** The read shapes Portico serves (events resources included for their own tests). */
export const readShapes = [
  'APIKey',
  'CertificateAuthority',
  'Credential',
  'EventDestination',
  'EventSubscription',
  'FailoverBackend',
  'HTTPResponseBackend',
  'HTTPSEdge',
  'HTTPSEdgeRoute',
  'IPPolicy',
  'IPPolicyRule',
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

function main(): void {
  const [file, commit] = process.argv.slice(2);
  if (!file || !commit) throw new Error('usage: extract.ts <ngrok.yaml> <commit>');
  const schemas = (parse(readFileSync(file, 'utf8')) as { components: { schemas: Schemas } }).components.schemas;
  const here = dirname(fileURLToPath(import.meta.url));
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
