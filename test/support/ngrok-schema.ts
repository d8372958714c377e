/**
 * Checks a read shape field by field against ngrok's published OpenAPI schema for it
 * (test/data/ngrok-openapi/<Schema>.json, extracted from ngrok.yaml; see the README there).
 */
import { readFileSync } from 'node:fs';

interface Field {
  type?: string;
  ref?: string;
  items?: Field;
}
interface SchemaFile {
  properties: Record<string, Field>;
  refs: Record<string, Record<string, Field>>;
}

const cache = new Map<string, SchemaFile>();

function load(name: string): SchemaFile {
  let file = cache.get(name);
  if (!file) {
    const url = new URL(`../data/ngrok-openapi/${name}.json`, import.meta.url);
    file = JSON.parse(readFileSync(url, 'utf8')) as SchemaFile;
    cache.set(name, file);
  }
  return file;
}

/**
 * What is wrong with `obj` as ngrok's `schema`: a documented field missing, a value of another
 * type (null stands for an unset object, list or string, as ngrok sends them), or a field ngrok
 * does not document (a misnamed one) unless listed in `extensions` (dotted paths, list indexes left out).
 */
export function schemaProblems(obj: unknown, schema: string, extensions: readonly string[] = []): string[] {
  const file = load(schema);
  const problems: string[] = [];
  walkObject(obj, file.properties, file.refs, schema, '', extensions, problems);
  return problems;
}

function walkObject(
  obj: unknown,
  props: Record<string, Field>,
  refs: SchemaFile['refs'],
  where: string,
  prefix: string,
  extensions: readonly string[],
  problems: string[],
): void {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    problems.push(`${where}: expected an object, got ${JSON.stringify(obj)}`);
    return;
  }
  const record = obj as Record<string, unknown>;
  for (const [name, field] of Object.entries(props)) {
    const path = prefix + name;
    if (!(name in record)) problems.push(`${path}: missing`);
    else walkValue(record[name], field, refs, path, extensions, problems);
  }
  for (const name of Object.keys(record))
    if (!(name in props) && !extensions.includes((prefix + name).replace(/\[\d+\]/g, '')))
      problems.push(`${prefix + name}: not in ngrok's schema`);
}

function walkValue(
  value: unknown,
  field: Field,
  refs: SchemaFile['refs'],
  path: string,
  extensions: readonly string[],
  problems: string[],
): void {
  if (value === null) return;
  if (field.ref) {
    const props = refs[field.ref];
    // A schema without properties (a free-form map) takes any object.
    if (props && Object.keys(props).length) walkObject(value, props, refs, path, `${path}.`, extensions, problems);
    else if (typeof value !== 'object') problems.push(`${path}: expected an object (${field.ref})`);
    return;
  }
  const type = field.type ?? 'object';
  if (type === 'array') {
    if (!Array.isArray(value)) problems.push(`${path}: expected a list, got ${JSON.stringify(value)}`);
    else value.forEach((item, i) => walkValue(item, field.items ?? {}, refs, `${path}[${i}]`, extensions, problems));
    return;
  }
  const actual = typeof value;
  const ok =
    type === 'object'
      ? actual === 'object' && !Array.isArray(value)
      : type === 'integer' || type === 'number'
        ? actual === 'number'
        : actual === type;
  if (!ok) problems.push(`${path}: expected ${type}, got ${JSON.stringify(value)}`);
}
