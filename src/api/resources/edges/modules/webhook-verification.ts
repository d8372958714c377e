import { Type } from 'typebox';
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

/** The providers the product description lists, by their lower-case ids. */
export const webhookProviders = [
  'github',
  'gitlab',
  'intercom',
  'sendgrid',
  'shopify',
  'slack',
  'sns',
  'stripe',
  'twilio',
  'xero',
] as const;
/** Providers that sign without a shared secret (AWS SNS signs with its own certificate). */
const secretless: readonly string[] = ['sns'];

interface WebhookVerificationModule extends StoredModule {
  /** One of `webhookProviders` (stored lower-case; "TWILIO" is accepted). */
  provider: string;
  /** The provider's signing secret; "" for sns. Sealed at rest; echoed back on read, as ngrok does. */
  secret: string;
}

/** `webhook_verification`: refuse requests not signed by the provider (403 at the edge). */
export const webhookVerificationModule = defineModule({
  name: 'webhook_verification',
  schema: Type.Object({ enabled: Enabled, provider: Type.String(), secret: OptionalString }),
  normalize: (body, _ctx, field): WebhookVerificationModule => {
    const provider = body.provider.trim().toLowerCase();
    if (!(webhookProviders as readonly string[]).includes(provider)) {
      throw new ApiError(
        ErrorCode.ERR_NGROK_7030,
        `${fieldPath(field, 'provider')}: webhook provider "${body.provider}" is not supported; use one of ${webhookProviders.join(', ')}`,
        { field: fieldPath(field, 'provider') },
      );
    }
    const secret = body.secret ?? '';
    if (!secret && !secretless.includes(provider)) {
      throw new ApiError(
        ErrorCode.ERR_NGROK_7027,
        `${fieldPath(field, 'secret')}: webhook verification for ${provider} requires the provider's signing secret`,
        { field: fieldPath(field, 'secret') },
      );
    }
    return { enabled: enabledOf(body), provider, secret };
  },
  secrets: stringSecrets<WebhookVerificationModule>((m, f) => ({ ...m, secret: m.secret ? f(m.secret) : m.secret })),
});
