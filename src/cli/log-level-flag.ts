/**
 * `portico edge --log-level info,edge.proxy=debug,api=warn,access=off`: the default level, then
 * levels by component (logger.ts LoggerOptions.components). Either part may be left out
 * (`--log-level debug`, `--log-level api=warn`).
 */
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { LevelSetting } from '../log/logger.ts';

const levels: readonly LevelSetting[] = ['debug', 'info', 'warn', 'error', 'off'];

/** The default level and the per-component levels `value` names. */
export function parseLogLevels(value: string): { level: LevelSetting; components: Record<string, LevelSetting> } {
  let level: LevelSetting = 'info';
  const components: Record<string, LevelSetting> = {};
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(?:([a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)*)=)?([a-z]+)$/.exec(item);
    const named = m?.[2] as LevelSetting | undefined;
    if (!m || !named || !levels.includes(named))
      throw new PorticoError(
        ErrorCode.ERR_CONFIG_INVALID,
        `--log-level: "${item}" is not a level (${levels.join(', ')}) or <component>=<level>`,
      );
    if (m[1]) components[m[1]] = named;
    else level = named;
  }
  return { level, components };
}
