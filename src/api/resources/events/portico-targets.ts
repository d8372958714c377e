/**
 * Portico's own event destination targets, beside ngrok's v2 ones (docs/events.md):
 * - `http`: `{url, secret}` — JSON batches POSTed to `url`, signed with HMAC-SHA256 under
 *   `secret` (16–256 characters, chosen by the user, stored sealed, never read back).
 * - `file`: `{path, max_bytes, max_files}` — NDJSON appended to `path`, relative to the edge's
 *   event file directory, rotated when it would pass `max_bytes`, keeping `max_files` old files.
 */
import { ErrorCode } from '../../../errors/catalogue.ts';
import { invalid } from '../../errors.ts';
import { fileTargetLimits, httpSecretLength, type EventTarget } from '../../../config/documents/events.ts';
import { requiredString, type Obj } from './event-targets.ts';

const maxUrlLength = 2048;

export function httpTarget(body: Obj): NonNullable<EventTarget['http']> {
  const url = httpUrl(body.url);
  const secret = requiredString(body.secret, ErrorCode.ERR_NGROK_236, 'target.http.secret');
  if (secret.length < httpSecretLength.min || secret.length > httpSecretLength.max)
    throw invalid(
      ErrorCode.ERR_NGROK_236,
      'target.http.secret',
      `must be ${httpSecretLength.min} to ${httpSecretLength.max} characters; receivers verify the signature with it`,
    );
  return { url, secret };
}

export function fileTarget(body: Obj): NonNullable<EventTarget['file']> {
  const path = requiredString(body.path, ErrorCode.ERR_NGROK_236, 'target.file.path');
  const parts = path.split(/[\\/]/);
  if (
    path.length > fileTargetLimits.maxPathLength ||
    path.startsWith('/') ||
    parts.some((p) => p === '..' || p === '.' || p === '') ||
    /[\u0000-\u001f]/.test(path)
  )
    throw invalid(
      ErrorCode.ERR_NGROK_236,
      'target.file.path',
      `"${path}" must be a relative path (no "..", at most ${fileTargetLimits.maxPathLength} characters) inside the edge's event file directory`,
    );
  return {
    path,
    max_bytes: bounded(
      body.max_bytes,
      'max_bytes',
      fileTargetLimits.defaultMaxBytes,
      fileTargetLimits.minMaxBytes,
      fileTargetLimits.maxMaxBytes,
    ),
    max_files: bounded(body.max_files, 'max_files', fileTargetLimits.defaultMaxFiles, 1, fileTargetLimits.maxMaxFiles),
  };
}

function bounded(value: unknown, key: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalid(ErrorCode.ERR_NGROK_236, `target.file.${key}`, `must be a whole number from ${min} to ${max}`);
  return value;
}

function httpUrl(value: unknown): string {
  const raw = requiredString(value, ErrorCode.ERR_NGROK_236, 'target.http.url');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(ErrorCode.ERR_NGROK_236, 'target.http.url', `"${raw}" is not a URL; use http(s)://host[:port]/path`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(
      ErrorCode.ERR_NGROK_236,
      'target.http.url',
      `must be an http:// or https:// URL, not ${url.protocol}`,
    );
  if (raw.length > maxUrlLength)
    throw invalid(ErrorCode.ERR_NGROK_236, 'target.http.url', `must be at most ${maxUrlLength} characters`);
  return url.toString();
}
