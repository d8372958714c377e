/**
 * The agent config file's YAML (config-file.ts says what it holds): parsing a file's text, and
 * setting the authtoken in a file while keeping the rest of it. Loaded only when a file is read
 * or written, so an agent started without a config file never holds the YAML parser.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Document, isMap, parseDocument } from 'yaml';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { agentConfigOf, type AgentConfigFile } from './config-file.ts';

/**
 * Parses YAML text; errors name the file and the field path (`tunnels.web.proto: …`). Unknown
 * keys are refused (config-keys.ts), so that no setting is silently ignored.
 */
export function parseAgentConfig(text: string, path = 'config'): AgentConfigFile {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${path}: ${doc.errors[0]!.message}`);
  return agentConfigOf(doc.toJS() ?? {}, path);
}

/**
 * Sets `authtoken` in the config file (`agent.authtoken` in a version 3 file), keeping everything
 * else (comments included). Creates the
 * file and its directories when missing; the file is left with mode 0600 (it holds a secret).
 */
export async function saveAuthtoken(path: string, token: string): Promise<void> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const doc = text.trim() ? parseDocument(text) : new Document({});
  if (doc.errors.length > 0) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${path}: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents))
    throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${path}: the top level must be a mapping`);
  // ngrok's version 3 layout keeps it under agent:.
  const version = doc.get('version');
  if (version === 3 || version === '3') doc.setIn(['agent', 'authtoken'], token);
  else doc.set('authtoken', token);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, doc.toString(), { mode: 0o600 });
  await chmod(path, 0o600);
}
