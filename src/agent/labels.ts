import { ErrorCode, PorticoError } from '../errors/catalogue.ts';

/** Parses `["k=v", …]` (CLI `--label`, config `labels`) into a map; a name given twice is refused. */
export function parseLabels(pairs: readonly string[], where = 'labels'): Record<string, string> {
  const labels: Record<string, string> = {};
  pairs.forEach((pair, i) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (!name || eq === pair.length - 1) {
      throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${where}[${i}]: "${pair}" must have the form name=value`);
    }
    if (Object.hasOwn(labels, name)) {
      throw new PorticoError(
        ErrorCode.ERR_AGENT_CONFIG,
        `${where}[${i}]: the label ${name} is given twice; give it once`,
      );
    }
    labels[name] = pair.slice(eq + 1).trim();
  });
  return labels;
}
