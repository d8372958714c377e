/**
 * Stack traces of the built CLI name `.ts` lines, with the source maps read only when a trace is
 * formatted. Node's own support (`--enable-source-maps`, process.setSourceMapsEnabled) reads and
 * keeps the map of every module as it loads: about 5 MiB of an idle edge's memory, for traces
 * that are rarely printed.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A frame's position in its original source, and the identifier written there if the map names
 * one; undefined when no map covers the frame.
 */
type Original = { file: string; line: number; column: number; name?: string };

/**
 * Formats stack traces with positions mapped through the `.map` file beside each script under
 * `dir` (a file: URL ending in `/`), loaded the first time a trace passes through that script.
 * Does nothing when Node already maps traces (tsx, `--enable-source-maps`). A frame takes its
 * function's source name from the call site in the frame below it, when that frame is mapped too.
 */
export function mapStackTraces(dir: string): void {
  if (process.sourceMapsEnabled) return;
  const maps = new Map<string, SourceMap | undefined>();
  const original = (file: string, line: number, column: number): Original | undefined => {
    // Frames name ES modules by URL and CommonJS ones by path.
    const url = file.startsWith('/') ? pathToFileURL(file).href : file;
    if (!url.startsWith(dir)) return undefined;
    if (!maps.has(url)) maps.set(url, readMap(url));
    // Node's types leave out `name`, which findEntry gives when the map names the identifier there.
    const entry = maps.get(url)?.findEntry(line - 1, column - 1) as (SourceMapping & { name?: string }) | undefined;
    if (!entry || !('originalSource' in entry)) return undefined;
    const source = new URL(entry.originalSource, url);
    return {
      file: source.protocol === 'file:' ? fileURLToPath(source) : source.href,
      line: entry.originalLine + 1,
      column: entry.originalColumn + 1,
      ...(entry.name && { name: entry.name }),
    };
  };
  Error.prepareStackTrace = (error, frames) => {
    let head: string;
    try {
      head = Error.prototype.toString.call(error);
    } catch {
      head = '<error>';
    }
    try {
      const mapped = frames.map((frame) => {
        const file = frame.getFileName();
        const line = frame.getLineNumber();
        const column = frame.getColumnNumber();
        return file && line !== null && column !== null ? original(file, line, column) : undefined;
      });
      // A function the bundle renamed (two modules had one of that name) is named as the source
      // wrote it at the caller's call site (how Node's --enable-source-maps names frames too).
      return head + frames.map((frame, i) => `\n    at ${frameText(frame, mapped[i], mapped[i + 1]?.name)}`).join('');
    } catch {
      // A trace is never lost to the mapping: V8's own positions instead.
      return head + frames.map((frame) => `\n    at ${(frame as { toString(): string }).toString()}`).join('');
    }
  };
}

function frameText(frame: NodeJS.CallSite, mapped: Original | undefined, calledAs: string | undefined): string {
  // V8's own text for the frame ("fn (file:line:column)", "async fn …", "new C …").
  const text = (frame as { toString(): string }).toString();
  if (!mapped) return text;
  const position = `${frame.getFileName()}:${frame.getLineNumber()}:${frame.getColumnNumber()}`;
  const at = text.lastIndexOf(position);
  if (at < 0) return text;
  let prefix = text.slice(0, at);
  const minified = frame.getFunctionName();
  if (minified && calledAs && calledAs !== minified) prefix = prefix.replace(minified, calledAs);
  return prefix + `${mapped.file}:${mapped.line}:${mapped.column}` + text.slice(at + position.length);
}

function readMap(url: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(fileURLToPath(`${url}.map`), 'utf8')) as SourceMapPayload);
  } catch {
    return undefined;
  }
}
