/**
 * The layers of src/ and which may import which. A layer is a folder of src/ (or a file at its
 * top, like version.ts). The API and the data plane (edge) never import each other: what they
 * share is the configuration layer (config), and the edge process (server) composes them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

export const allowedImports: Record<string, readonly string[]> = {
  errors: [],
  log: ['packages'],
  // Registries and the /metrics answer (prom-client); the edge's own metrics are composed in server.
  metrics: [],
  version: [],
  // npm packages loaded on first use (on-first-use.ts).
  packages: [],
  splice: [],
  // HTTP/1.1 on the wire: Node's parser (the edge's tunnel client, the agent's traffic tap), tokens.
  http1: [],
  bootstrap: ['errors'],
  protocol: ['errors'],
  store: ['errors'],
  config: ['errors', 'http1', 'packages', 'store'],
  edge: ['config', 'errors', 'http1', 'log', 'packages', 'protocol', 'store', 'splice', 'version'],
  api: ['config', 'errors', 'http1', 'log', 'metrics', 'packages', 'store', 'version'],
  server: ['api', 'bootstrap', 'config', 'edge', 'errors', 'log', 'metrics', 'protocol', 'store', 'version'],
  agent: ['bootstrap', 'errors', 'http1', 'log', 'metrics', 'protocol', 'splice', 'version'],
  trust: ['bootstrap', 'errors'],
  cli: [
    'agent',
    'bootstrap',
    'config',
    'edge',
    'errors',
    'log',
    'metrics',
    'protocol',
    'server',
    'store',
    'trust',
    'version',
  ],
};

/** A source file: its path relative to the repository, and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

const importSpec = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The layer of a path under src/ (`src/edge/proxy/x.ts` → `edge`, `src/version.ts` → `version`). */
export function layerOf(path: string): string | undefined {
  const parts = normalize(path).split(sep);
  if (parts[0] !== 'src' || parts.length < 2) return undefined;
  return parts[1]!.replace(/\.ts$/, '');
}

/** Every import from one layer into another that `rules` do not allow, as "from → to" lines. */
export function layerViolations(
  files: readonly SourceFile[],
  rules: Record<string, readonly string[]> = allowedImports,
): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    if (!from) continue;
    for (const m of file.text.matchAll(importSpec)) {
      const target = normalize(join(dirname(file.path), m[1]!));
      const to = layerOf(target);
      if (!to || to === from) continue;
      if (!(rules[from] ?? []).includes(to)) out.push(`${file.path} → ${target} (${from} may not import ${to})`);
    }
  }
  return out;
}

/** The product's source files (tests beside the code are not product code and are left out). */
export function productFiles(repo: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts'))
        out.push({ path: relative(repo, path), text: readFileSync(path, 'utf8') });
    }
  };
  walk(join(repo, 'src'));
  return out;
}
