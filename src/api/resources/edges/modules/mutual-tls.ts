import { Type } from 'typebox';
import { badReference } from '../../../errors.ts';
import { ref } from '../../../uri.ts';
import { certificateAuthorityKind as caKind, certificateAuthorityPath as caPath } from '../../certificate-authorities.ts';
import { defineModule, Enabled, enabledOf, fieldPath, type StoredModule } from './module-spec.ts';

interface MutualTlsModule extends StoredModule {
  /** Certificate authorities of the same account that client certificates must chain to. */
  certificate_authority_ids: string[];
}

/** `mutual_tls`: require a client certificate. Reads back as `certificate_authorities` Refs. */
export const mutualTlsModule = defineModule({
  name: 'mutual_tls',
  schema: Type.Object({ enabled: Enabled, certificate_authority_ids: Type.Array(Type.String()) }),
  normalize: async (body, ctx, field): Promise<MutualTlsModule> => {
    const ids = [...new Set(body.certificate_authority_ids)];
    for (const [i, id] of ids.entries()) {
      if (!(await ctx.deps.store.resources.get(ctx.account.id, caKind, id))) throw badReference('ERR_NGROK_1672', `${fieldPath(field, 'certificate_authority_ids')}[${i}]`, id);
    }
    return { enabled: enabledOf(body), certificate_authority_ids: ids };
  },
  read: (stored: MutualTlsModule, owner) => ({ enabled: stored.enabled, certificate_authorities: stored.certificate_authority_ids.map((id) => ref(owner.req, caPath, id)) }),
});
