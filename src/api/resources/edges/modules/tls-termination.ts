import { Type } from 'typebox';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { ApiError } from '../../../errors.ts';
import { defineModule, Enabled, enabledOf, fieldPath, OptionalString, type StoredModule } from './module-spec.ts';

/** TLS versions a client may be held to, oldest first. */
export const tlsVersions = ['1.0', '1.1', '1.2', '1.3'] as const;
/** The minimum version when none is given at the edge. */
export const defaultMinVersion = '1.2';

interface TlsTerminationModule extends StoredModule {
  /** `edge`: the edge terminates TLS; `upstream`: bytes pass through to the agent/app. */
  terminate_at: 'edge' | 'upstream';
  /** Oldest TLS version accepted from clients; null when TLS passes through. */
  min_version: string | null;
}

const Schema = Type.Object({ enabled: Enabled, terminate_at: OptionalString, min_version: OptionalString });

function minVersionOf(value: string | null | undefined, field: string): string {
  if (value === undefined || value === null) return defaultMinVersion;
  if (!(tlsVersions as readonly string[]).includes(value)) {
    throw new ApiError(
      ErrorCode.ERR_NGROK_219,
      `${fieldPath(field, 'min_version')}: "${value}" is not a TLS version; use one of ${tlsVersions.join(', ')}`,
      { field: fieldPath(field, 'min_version') },
    );
  }
  return value;
}

function terminateAtOf(
  value: string | null | undefined,
  field: string,
  allowed: readonly string[],
): 'edge' | 'upstream' {
  const at = value ?? 'edge';
  if (!allowed.includes(at)) {
    const hint =
      allowed.length === 1
        ? 'HTTPS edges always terminate TLS at the edge; use "edge" or leave it out'
        : 'use "edge" or "upstream"';
    throw new ApiError(
      ErrorCode.ERR_NGROK_224,
      `${fieldPath(field, 'terminate_at')}: "${at}" is not accepted; ${hint}`,
      { field: fieldPath(field, 'terminate_at') },
    );
  }
  return at as 'edge' | 'upstream';
}

/** `tls_termination` on an HTTPS edge: always at the edge; only `min_version` (default 1.2). */
export const httpsTlsTerminationModule = defineModule({
  name: 'tls_termination',
  schema: Schema,
  normalize: (body, _ctx, field): TlsTerminationModule => ({
    enabled: enabledOf(body),
    terminate_at: terminateAtOf(body.terminate_at, field, ['edge']),
    min_version: minVersionOf(body.min_version, field),
  }),
});

/**
 * `tls_termination` on a TLS edge: `terminate_at` "edge" (default) or "upstream"; with
 * "upstream" the edge never sees plaintext, so `min_version` must be null.
 */
export const tlsEdgeTlsTerminationModule = defineModule({
  name: 'tls_termination',
  schema: Schema,
  normalize: (body, _ctx, field): TlsTerminationModule => {
    const terminateAt = terminateAtOf(body.terminate_at, field, ['edge', 'upstream']);
    if (terminateAt === 'upstream' && body.min_version !== undefined && body.min_version !== null) {
      throw new ApiError(
        ErrorCode.ERR_NGROK_219,
        `${fieldPath(field, 'min_version')}: must be null when terminate_at is "upstream" (the edge does not terminate TLS)`,
        { field: fieldPath(field, 'min_version') },
      );
    }
    return {
      enabled: enabledOf(body),
      terminate_at: terminateAt,
      min_version: terminateAt === 'upstream' ? null : minVersionOf(body.min_version, field),
    };
  },
});
