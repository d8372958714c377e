import { readFileSync } from 'node:fs';

/** Portico's version, from package.json: the edge reports it to agents and the API, the agent sends it in Auth. */
export const porticoVersion: string = (() => {
  const version = (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown }
  ).version;
  return typeof version === 'string' ? version : '0.0.0';
})();
