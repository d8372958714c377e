/**
 * Stack traces of the built CLI name `.ts` lines, with the source maps read only when a trace is
 * formatted. Node's own support (`--enable-source-maps`, process.setSourceMapsEnabled) reads and
 * keeps the map of every module as it loads: about 5 MiB of an idle edge's memory, for traces
 * that are rarely printed.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A frame's position in its original source; undefined when no map covers it. */
type Original = { file: string; line: number; column: number };

/**
 * Formats stack traces with positions mapped through the `.map` file beside each script under
 * `dir` (a file: URL ending in `/`), loaded the first time a trace passes through that script.
 * Does nothing when Node already maps traces (tsx, `--enable-source-maps`).
 */
export function mapStackTraces(dir: string): void {
  if (process.sourceMapsEnabled) return;
  const maps = new Map<string, SourceMap | undefined>();
  const original = (file: string, line: number, column: number): Original | undefined => {
    // Frames name ES modules by URL and CommonJS ones by path.
    const url = file.startsWith('/') ? pathToFileURL(file).href : file;
    if (!url.startsWith(dir)) return undefined;
    if (!maps.has(url)) maps.set(url, readMap(url));
    const entry = maps.get(url)?.findEntry(line - 1, column - 1);
    if (!entry || !('originalSource' in entry)) return undefined;
    const source = new URL(entry.originalSource, url);
    return {
      file: source.protocol === 'file:' ? fileURLToPath(source) : source.href,
      line: entry.originalLine + 1,
      column: entry.originalColumn + 1,
    };
  };
  Error.prepareStackTrace = (error, frames) => {
    let head: string;
    try {
      head = Error.prototype.toString.call(error);
    } catch {
      head = '<error>';
    }
    return head + frames.map((frame) => `\n    at ${frameText(frame, original)}`).join('');
  };
}

function frameText(
  frame: NodeJS.CallSite,
  original: (file: string, line: number, column: number) => Original | undefined,
): string {
  // V8's own text for the frame ("fn (file:line:column)", "async fn …", "new C …").
  const text = (frame as { toString(): string }).toString();
  const file = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (!file || line === null || column === null) return text;
  const position = `${file}:${line}:${column}`;
  const at = text.lastIndexOf(position);
  const mapped = at < 0 ? undefined : original(file, line, column);
  if (!mapped) return text;
  return text.slice(0, at) + `${mapped.file}:${mapped.line}:${mapped.column}` + text.slice(at + position.length);
}

function readMap(url: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(fileURLToPath(`${url}.map`), 'utf8')) as SourceMapPayload);
  } catch {
    return undefined;
  }
}
