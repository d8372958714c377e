/**
 * Cookie values only the edge can read or make: JSON sealed with AES-256-GCM. The key is
 * derived (HKDF-SHA256) from the edge's identity key and bound to the module's owner (route or
 * agent endpoint id), its provider and client id and a digest of its configuration, so a
 * cookie from another route, another provider or an older configuration never opens. The
 * cookie's name and the request's host name are the associated data, so a value moved to
 * another cookie or another domain does not open either.
 * Value: `v1.` then base64url of IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1.';

/** What a session key is bound to. */
export interface SealBinding {
  /** The route or agent endpoint id. */
  owner: string;
  provider: string;
  clientId: string;
  /** A digest of the module's whole configuration, secrets included. */
  configDigest: string;
}

/** The 32-byte key of one module on one owner. */
export function deriveSealKey(identityKey: Buffer, b: SealBinding): Buffer {
  const info = ['portico identity cookie v1', b.owner, b.provider, b.clientId, b.configDigest].join('\0');
  return Buffer.from(hkdfSync('sha256', identityKey, Buffer.alloc(0), info, 32));
}

export class CookieSealer {
  constructor(private readonly key: Buffer) {}

  /** The cookie value holding `payload`, bound to `context` (cookie name and host). */
  seal(payload: unknown, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The payload of a value seal() made with this key and `context`; undefined for anything else. */
  open(value: string | undefined, context: string): unknown {
    if (!value?.startsWith(PREFIX)) return undefined;
    const raw = Buffer.from(value.slice(PREFIX.length), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(text.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
}
