import { Type } from 'typebox';
import { ref } from '../../../uri.ts';
import { certificateAuthorityPath as caPath } from '../../certificate-authorities.ts';
import { defineModule, Enabled, enabledOf, type StoredModule } from './module-spec.ts';

interface MutualTlsModule extends StoredModule {
  /** Certificate authorities of the same account that client certificates must chain to. */
  certificate_authority_ids: string[];
}

/** `mutual_tls`: require a client certificate. Reads back as `certificate_authorities` Refs. */
export const mutualTlsModule = defineModule({
  name: 'mutual_tls',
  schema: Type.Object({ enabled: Enabled, certificate_authority_ids: Type.Array(Type.String()) }),
  // That every id is a certificate authority of the account is checked by compiling (api/config-gate.ts).
  normalize: (body): MutualTlsModule => ({
    enabled: enabledOf(body),
    certificate_authority_ids: [...new Set(body.certificate_authority_ids)],
  }),
  disabled: (): MutualTlsModule => ({ enabled: false, certificate_authority_ids: [] }),
  read: (stored: MutualTlsModule, owner) => ({
    enabled: stored.enabled,
    certificate_authorities: stored.certificate_authority_ids.map((id) => ref(owner.req, caPath, id)),
  }),
});
