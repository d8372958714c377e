/**
 * Media types compression cannot shrink (already compressed: images, audio, video, archives,
 * WOFF fonts) or must not hold back (server-sent events, read as they arrive). Everything
 * else with a Content-Type is compressed; a body without one may be anything, so it is not.
 */
const incompressibleTypes = new Set([
  'application/gzip',
  'application/x-gzip',
  'application/zip',
  'application/x-bzip2',
  'application/x-7z-compressed',
  'application/x-rar-compressed',
  'application/x-xz',
  'application/zstd',
  'application/octet-stream',
  'application/pdf',
  'font/woff',
  'font/woff2',
  'text/event-stream',
]);

const incompressiblePrefixes = ['image/', 'video/', 'audio/'];

/** SVG is text among the images. */
const compressibleImages = new Set(['image/svg+xml', 'image/x-icon', 'image/bmp']);

/** Whether a response of `contentType` (a Content-Type value, parameters and all) is worth compressing. */
export function isCompressible(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]!.trim().toLowerCase();
  if (!type) return false;
  if (compressibleImages.has(type)) return true;
  if (incompressibleTypes.has(type)) return false;
  return !incompressiblePrefixes.some((prefix) => type.startsWith(prefix));
}
