/** A sink for `createLogger({ format: 'json', sink })` that keeps every line written, as objects. */
export function logLines(): { lines: Array<Record<string, unknown>>; sink: { write(line: string): void } } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, sink: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) } };
}
