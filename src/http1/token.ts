/** An RFC 9110 token (§5.6.2): what a header name or a method may be. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(text: string): boolean {
  return token.test(text);
}
