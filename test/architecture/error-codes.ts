/**
 * The check that product code names error codes through the catalogue (`ErrorCode.ERR_…`),
 * never as string literals. Outside src/errors, any quoted `ERR_…` literal ('…', "…" or `…`)
 * is flagged: ours belong in the catalogue, and codes that are not ours (Node's, such as
 * ERR_HTTP_REQUEST_TIMEOUT) are named in src/errors/foreign.ts. Comment lines are skipped, so
 * doc comments may still mention codes.
 */
import type { SourceFile } from './layers.ts';

const quotedCode = /(['"`])(ERR_[A-Z0-9_]+)\1/g;

function isCommentLine(line: string): boolean {
  const t = line.trimStart();
  return t.startsWith('//') || t.startsWith('/*') || t.startsWith('*');
}

/** Every quoted `ERR_…` literal in `files` outside src/errors, as "path:line: literal" lines. */
export function strayErrorCodes(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    if (file.path.startsWith('src/errors/')) continue;
    file.text.split('\n').forEach((line, i) => {
      if (isCommentLine(line)) return;
      for (const m of line.matchAll(quotedCode)) out.push(`${file.path}:${i + 1}: ${m[0]}`);
    });
  }
  return out;
}
