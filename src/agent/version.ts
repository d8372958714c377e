import { readFileSync } from 'node:fs';

/** The version in Portico's package.json, sent in Auth as `Extra.Version`. */
export const agentVersion: string = (() => {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(raw) as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
})();

/** Sent in Auth as `Extra.UserAgent`. */
export const userAgent = `portico-agent/${agentVersion}`;
