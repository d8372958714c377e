/** Reading and changing raw header lists ([name, value, name, value, …], names in any case). */

/** The first value of `name` (lower case), if present. */
export function rawHeader(headers: readonly string[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() === name) return headers[i + 1];
  return undefined;
}

/** Removes every `name` (lower case) in place. */
export function removeRawHeader(headers: string[], name: string): void {
  for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i]!.toLowerCase() === name) headers.splice(i, 2);
}

/** Replaces every `name` (lower case) with one `value`. */
export function setRawHeader(headers: string[], name: string, value: string): void {
  removeRawHeader(headers, name);
  headers.push(name, value);
}
