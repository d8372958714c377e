/**
 * Which resource an operation belongs to and what ngrok calls it: tag, operationId, the read
 * shape it answers with. Paths are matched against the resource entries (schemas/index.ts):
 * the collection, its items (`<path>/{id}`), then module paths and commands under an item.
 */
import type { ModuleDoc, ResourceDoc } from './resource-doc.ts';
import type { JsonSchema } from './schemas/builders.ts';

/** How one operation is described. */
export interface OperationNames {
  tag: string;
  operationId: string;
  /** HTTP status of success. */
  status: '200' | '201';
  /** What success answers. */
  response: JsonSchema;
  /** Component names for the request body (CRUD create and update), else inlined. */
  bodyName?: string;
  /** A list: takes before_id, limit and filter. */
  paged?: boolean;
  /** The list's own query parameters (ResourceDoc.listArgs). */
  listArgs?: ResourceDoc['listArgs'];
  /** No entry describes this operation (test/api/openapi.test.ts refuses any). */
  undocumented?: boolean;
}

const component = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const empty = component('Empty');

/** Paths that are no ngrok resource. */
const porticoPaths: Record<string, OperationNames> = {
  'get /health': {
    tag: 'Portico',
    operationId: 'HealthGet',
    status: '200',
    response: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
  },
  'get /openapi.json': {
    tag: 'Portico',
    operationId: 'OpenApiGet',
    status: '200',
    response: { type: 'object', description: 'This OpenAPI 3.0 document.' },
  },
};

const pascal = (s: string) => s.replace(/(?:^|_)([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** ngrok's names for `method path`, given every resource entry and module slot. */
export function operationNames(
  method: string,
  path: string,
  docs: readonly ResourceDoc[],
  modules: readonly ModuleDoc[],
): OperationNames {
  return (
    porticoPaths[`${method} ${path}`] ??
    firstOf(docs, (r) => collectionNames(method, path, r)) ??
    firstOf(docs, (r) => itemNames(method, path, r)) ??
    firstOf(docs, (r) => underItemNames(method, path, r, modules)) ??
    undocumented(method, path)
  );
}

function firstOf<T, R>(list: readonly T[], f: (item: T) => R | undefined): R | undefined {
  for (const item of list) {
    const found = f(item);
    if (found) return found;
  }
  return undefined;
}

/** `POST <path>` creates, `GET <path>` lists. */
function collectionNames(method: string, path: string, r: ResourceDoc): OperationNames | undefined {
  if (path !== r.path) return undefined;
  if (method === 'post')
    return {
      tag: r.tag,
      operationId: `${r.operation}Create`,
      status: '201',
      response: component(r.name),
      bodyName: `${r.name}Create`,
    };
  if (method === 'get' && r.list)
    return {
      tag: r.tag,
      operationId: `${r.operation}List`,
      status: '200',
      response: component(`${r.name}List`),
      paged: true,
      ...(r.listArgs && { listArgs: r.listArgs }),
    };
  return undefined;
}

/** `GET|PATCH|DELETE <path>/{id}`. */
function itemNames(method: string, path: string, r: ResourceDoc): OperationNames | undefined {
  const verb = ({ get: 'Get', patch: 'Update', delete: 'Delete' } as Record<string, string>)[method];
  if (!verb || !new RegExp(`^${escape(r.path)}/\\{\\w+\\}$`).test(path)) return undefined;
  return {
    tag: r.tag,
    operationId: `${r.operation}${verb}`,
    status: '200',
    response: method === 'delete' ? empty : component(r.name),
    ...(method === 'patch' && { bodyName: `${r.name}Update` }),
  };
}

/** `<path>/{id}/<word>`: a module slot, else a command (`TunnelSessionsRestart`, `ReservedDomainsDeleteCertificate`). */
function underItemNames(
  method: string,
  path: string,
  r: ResourceDoc,
  modules: readonly ModuleDoc[],
): OperationNames | undefined {
  const word = new RegExp(`^${escape(r.path)}/\\{\\w+\\}/(\\w+)$`).exec(path)?.[1];
  if (!word) return undefined;
  const module = modules.find((m) => m.slot === word);
  if (module && r.modules) return moduleNames(method, r.modules, module);
  return {
    tag: r.tag,
    operationId: `${r.operation}${method === 'delete' ? 'Delete' : ''}${pascal(word)}`,
    status: '200',
    response: empty,
  };
}

/** A route no entry describes: a name derived from its path (the test refuses any). */
function undocumented(method: string, path: string): OperationNames {
  const words = path
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''));
  return {
    tag: 'Undocumented',
    operationId: `${method}${words}`,
    status: '200',
    response: { type: 'object' },
    undocumented: true,
  };
}

/** `PUT|GET|DELETE <item>/<slot>`: `EdgeRouteIpRestrictionModuleReplace` under tag `EdgeRouteIPRestrictionModule`. */
function moduleNames(method: string, owner: { tag: string; operation: string }, m: ModuleDoc): OperationNames {
  const verb = { put: 'Replace', get: 'Get', delete: 'Delete' }[method] ?? pascal(method);
  return {
    tag: `${owner.tag}${m.tag}Module`,
    operationId: `${owner.operation}${m.operation}Module${verb}`,
    status: '200',
    response: method === 'delete' ? empty : component(m.name),
  };
}
