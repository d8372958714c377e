import { readFileSync } from 'node:fs';

/** The version in package.json, reported to agents in the Auth reply. */
export const edgeVersion: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
