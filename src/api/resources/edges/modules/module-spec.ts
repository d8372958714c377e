/**
 * The shape every edge/route module definition has: its config key, the JSON schema of its
 * write shape, how a write body becomes the stored module (defaults filled, references
 * checked), and how a stored module reads back.
 */
import type { FastifyRequest } from 'fastify';
import { Type, type Static, type TObject, type TSchema } from 'typebox';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { invalid } from '../../../errors.ts';
import type { ApiContext } from '../../../context.ts';
import { isSealed, secretBox, type SecretBox } from '../../../../config/secrets/key-encryption.ts';

import type { StoredModule } from '../../../../config/documents/modules.ts';

export type { StoredModule };

/** Where a module sits, for read shapes that depend on it (Refs, SAML service URLs). */
export interface ModuleOwner {
  req: FastifyRequest;
  edgeId: string;
  /** Set for route modules. */
  routeId?: string;
  /** The owning edge's hostports, e.g. ["app.example.com:443"]. */
  hostports: readonly string[];
  /** Opens the module's secrets, sealed at rest for the owning account. */
  secrets: SecretBox;
}

/** Turns one secret into its stored form (seal) or back (open). */
export type SecretMap = (secret: string) => string;

/**
 * A module's secret fields (client secrets, signing secrets, …): sealed with the edge's key
 * when stored, opened for reads. Both functions leave every other field alone.
 */
export interface ModuleSecrets<D> {
  seal(stored: D, seal: SecretMap): D;
  open(stored: D, open: SecretMap): D;
}

/** ModuleSecrets for modules whose secrets are strings: the same field mapping both ways. */
export function stringSecrets<D>(map: (stored: D, f: SecretMap) => D): ModuleSecrets<D> {
  return { seal: map, open: map };
}

/** The SecretBox for the account a request acts for. */
export function secretsOf(ctx: ApiContext): SecretBox {
  return secretBox(ctx.deps.encryptionKey, ctx.account.id);
}

/** A module definition with its types erased, as registries hold them. */
export interface ModuleSpec {
  /** Config key and path segment, e.g. `circuit_breaker`. */
  name: string;
  /** JSON schema of the bare write shape (the `{module: …}` wrapper is removed before). */
  schema: TSchema;
  /** The stored module for a validated write body; `field` prefixes names in error messages. */
  normalize(body: Record<string, unknown>, ctx: ApiContext, field: string): Promise<StoredModule>;
  /** The read shape of a stored module (its secrets opened with `owner.secrets`). */
  read(stored: StoredModule, owner: ModuleOwner): Record<string, unknown>;
  /** The stored module `next` replacing `previous`, with what must outlive a write carried over (as stored). */
  carry(next: StoredModule, previous: StoredModule | null | undefined): StoredModule;
  /** Seals the secrets of a stored module that still has them in plain text (documents of older versions). */
  sealPlaintext(stored: StoredModule, secrets: SecretBox): StoredModule;
}

/** A module definition typed by its write schema `S` and stored shape `D`. */
export interface TypedModuleSpec<S extends TSchema, D extends StoredModule> {
  name: string;
  schema: S;
  normalize(body: Static<S>, ctx: ApiContext, field: string): Promise<D> | D;
  read?(stored: D, owner: ModuleOwner): Record<string, unknown>;
  /** What of the module it replaces a write keeps (both as stored, secrets sealed). Default: nothing. */
  carry?(next: D, previous: D): D;
  /** Its secret fields, if any: sealed at rest. */
  secrets?: ModuleSecrets<D>;
  /**
   * The stored module for a bare `{"enabled": false}` (what the Go and Python clients send to
   * switch a module off: they leave empty fields out), for modules whose schema requires
   * fields. The write schema then requires them only when the module is enabled.
   */
  disabled?(): D;
}

/** Whether `body` only switches the module off: `enabled: false` and every other field empty. */
function onlyDisables(body: Record<string, unknown>): boolean {
  return (
    body.enabled === false &&
    Object.entries(body).every(
      ([k, v]) => k === 'enabled' || v === null || v === undefined || (Array.isArray(v) && v.length === 0),
    )
  );
}

/** The fields `schema` requires (of an object schema; none otherwise). */
function requiredOf(schema: TSchema): string[] {
  return [...((schema as { required?: string[] }).required ?? [])].filter((k) => k !== 'enabled');
}

/** Erases a typed definition's types; the body was validated against `schema` before. */
export function defineModule<S extends TSchema, D extends StoredModule>(spec: TypedModuleSpec<S, D>): ModuleSpec {
  const secrets: ModuleSecrets<D> = spec.secrets ?? { seal: (d) => d, open: (d) => d };
  const required = spec.disabled ? requiredOf(spec.schema) : [];
  const disabled = spec.disabled;
  return {
    name: spec.name,
    schema: required.length ? Type.Partial(spec.schema as unknown as TObject) : spec.schema,
    normalize: async (body, ctx, field) => {
      const box = secretsOf(ctx);
      if (disabled && onlyDisables(body)) return secrets.seal(disabled(), (s) => box.seal(s));
      const missing = required.find((k) => body[k] === undefined || body[k] === null);
      if (missing)
        throw invalid(
          ErrorCode.ERR_NGROK_215,
          fieldPath(field, missing),
          'is required while the module is enabled (send {"enabled": false} alone to switch it off)',
        );
      return secrets.seal(await spec.normalize(body as Static<S>, ctx, field), (s) => box.seal(s));
    },
    read: (stored, owner) => {
      const plain = secrets.open(stored as D, (s) => owner.secrets.open(s));
      return spec.read ? spec.read(plain, owner) : { ...plain };
    },
    carry: (next, previous) => (spec.carry && previous ? spec.carry(next as D, previous as D) : next),
    sealPlaintext: (stored, box) => secrets.seal(stored as D, (s) => (isSealed(s) ? s : box.seal(s))),
  };
}

/** `enabled`: optional; null or absent means true. */
export const Enabled = Type.Optional(Type.Union([Type.Boolean(), Type.Null()]));

/** An optional list of strings; null is accepted as absent. */
export const StringList = Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()]));

/** An optional string; null is accepted as absent. */
export const OptionalString = Type.Optional(Type.Union([Type.String(), Type.Null()]));

/** An optional non-negative integer (seconds or counts); null is accepted as absent. */
export const OptionalCount = Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]));

/** `enabled` with its default: true unless false was given. */
export function enabledOf(body: { enabled?: boolean | null }): boolean {
  return body.enabled !== false;
}

/** `a.b` for a field inside a module; just `b` when the module body is the whole request. */
export function fieldPath(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}
