/**
 * Headers a configuration may not add or remove (the header modules, an agent's RequestHeaders
 * and ResponseHeaders, an HTTP-response backend's headers): they frame an HTTP/1.1 message or
 * its connection, and the edge sets them from the message it sends. An added `content-length`
 * beside the edge's own, or a `transfer-encoding` beside a length, lets the two ends read the
 * body differently (request smuggling, a response desynchronising the client's connection);
 * a removed one leaves a body without its frame. `host` may be set (host rewrite), not removed:
 * an HTTP/1.1 request must carry it.
 */
const framing = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

/**
 * Why header `name` (any case) may not be added (`edit` 'add') or removed ('remove') by a
 * configuration; undefined when it may.
 */
export function framingHeaderProblem(name: string, edit: 'add' | 'remove'): string | undefined {
  const lower = name.toLowerCase();
  if (framing.has(lower))
    return `"${lower}" frames the message or its connection and is set by the edge; it cannot be ${edit === 'add' ? 'added' : 'removed'}`;
  if (lower === 'host' && edit === 'remove')
    return 'an HTTP/1.1 request must carry "host"; it cannot be removed (set it to rewrite it)';
  return undefined;
}
