/**
 * Private keys at rest: AES-256-GCM under a key derived from the edge secret
 * (`<data-dir>/edge-secret`) or from $PORTICO_ENCRYPTION_KEY when set (every edge of a cluster
 * must then share it). Stored form: `v1.<iv>.<tag>.<ciphertext>`, each base64url.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';

const VERSION = 'v1';
/** Bytes of the GCM nonce. */
const IV_BYTES = 12;
const INFO = 'portico private keys at rest v1';

/**
 * The 32-byte key that encrypts private keys: from $PORTICO_ENCRYPTION_KEY (64 hex characters
 * taken as is, any other text hashed with SHA-256) when set, else derived from the edge secret;
 * set but blank is refused.
 */
export function deriveEncryptionKey(edgeSecret: Buffer, env: NodeJS.ProcessEnv = process.env): Buffer {
  const configured = env.PORTICO_ENCRYPTION_KEY?.trim();
  // Set but blank: the edge secret would be used without a word, and an edge of a cluster
  // sharing one database could not read what the others sealed.
  if (configured === '')
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      'PORTICO_ENCRYPTION_KEY is set but blank; give the key every edge of the cluster shares, or unset it',
    );
  if (configured)
    return /^[0-9a-f]{64}$/i.test(configured)
      ? Buffer.from(configured, 'hex')
      : createHash('sha256').update(configured).digest();
  return Buffer.from(hkdfSync('sha256', edgeSecret, Buffer.alloc(0), INFO, 32));
}

/** Encrypts `plaintext`, bound to `context` (the owning account id) as associated data. */
export function encryptSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Decrypts what encryptSecret made; throws when the key, the context or the text is wrong. */
export function decryptSecret(key: Buffer, stored: string, context: string): string {
  const [version, iv, tag, body] = stored.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined)
    throw new Error('not an encrypted secret of a known version');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** The stored form encryptSecret makes: version, 12-byte IV, 16-byte tag, ciphertext (base64url). */
const SEALED = /^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]*$/;

/** True when `value` has the form encryptSecret stores. */
export function isSealed(value: string): boolean {
  return SEALED.test(value);
}

/** encryptSecret and decryptSecret bound to one key and one owning account. */
export interface SecretBox {
  /** The value to store for `plaintext`. */
  seal(plaintext: string): string;
  /**
   * The plaintext of a stored value. A value that is not in the sealed form was written before
   * this field was sealed (the edge seals those at start) and is returned as it is.
   */
  open(stored: string): string;
}

/** A SecretBox for the secrets of account `accountId`. */
export function secretBox(key: Buffer, accountId: string): SecretBox {
  return {
    seal: (plaintext) => encryptSecret(key, plaintext, accountId),
    open: (stored) => (isSealed(stored) ? decryptSecret(key, stored, accountId) : stored),
  };
}
