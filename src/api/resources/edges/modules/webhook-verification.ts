import { Type } from 'typebox';
import {
  isWebhookProvider,
  secretlessProviders,
  webhookProviders,
} from '../../../../config/modules/webhook-verification.ts';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { ApiError } from '../../../errors.ts';
import {
  defineModule,
  Enabled,
  enabledOf,
  fieldPath,
  OptionalString,
  stringSecrets,
  type StoredModule,
} from './module-spec.ts';

interface WebhookVerificationModule extends StoredModule {
  /** One of `webhookProviders` (stored lower-case; "TWILIO" is accepted). */
  provider: string;
  /** `provider` as the client wrote it ("TWILIO"), echoed on read; absent in modules stored before. */
  provider_as_sent?: string;
  /** The provider's signing secret; "" for sns. Sealed at rest; echoed back on read, as ngrok does. */
  secret: string;
}

/** `webhook_verification`: refuse requests not signed by the provider (403 at the edge). */
export const webhookVerificationModule = defineModule({
  name: 'webhook_verification',
  schema: Type.Object({ enabled: Enabled, provider: Type.String(), secret: OptionalString }),
  normalize: (body, _ctx, field): WebhookVerificationModule => {
    const provider = body.provider.trim().toLowerCase();
    if (!isWebhookProvider(provider)) {
      throw new ApiError(
        ErrorCode.ERR_NGROK_7030,
        `${fieldPath(field, 'provider')}: webhook provider "${body.provider}" is not supported; use one of ${webhookProviders.join(', ')}`,
        { field: fieldPath(field, 'provider') },
      );
    }
    const secret = body.secret ?? '';
    if (!secret && !secretlessProviders.includes(provider)) {
      throw new ApiError(
        ErrorCode.ERR_NGROK_7027,
        `${fieldPath(field, 'secret')}: webhook verification for ${provider} requires the provider's signing secret`,
        { field: fieldPath(field, 'secret') },
      );
    }
    // Stored lower-case (what the edge matches on); read back as it was sent.
    return { enabled: enabledOf(body), provider, provider_as_sent: body.provider, secret };
  },
  disabled: (): WebhookVerificationModule => ({ enabled: false, provider: '', secret: '' }),
  read: ({ provider_as_sent: sent, ...stored }: WebhookVerificationModule) => ({
    ...stored,
    provider: sent ?? stored.provider,
  }),
  secrets: stringSecrets<WebhookVerificationModule>((m, f) => ({ ...m, secret: m.secret ? f(m.secret) : m.secret })),
});
