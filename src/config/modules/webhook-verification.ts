import { ErrorCode } from '../../errors/catalogue.ts';
import { ConfigProblem } from '../compile/problem.ts';
import type { WebhookProvider, WebhookVerificationPlan } from './plans.ts';

/** The providers whose signatures the edge checks, by their lower-case ids. */
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
] as const satisfies readonly WebhookProvider[];

/** Providers that sign without a shared secret (AWS SNS signs with its own certificate). */
export const secretlessProviders: readonly WebhookProvider[] = ['sns'];

/** A `webhook_verification` module as stored; `secret` is sealed for the owning account. */
export interface WebhookVerificationSlot {
  enabled?: boolean;
  provider?: string;
  secret?: string;
}

export function isWebhookProvider(name: string): name is WebhookProvider {
  return (webhookProviders as readonly string[]).includes(name);
}

/** Checks the provider is one the edge verifies and a secret is stored where the scheme needs one. */
export function compileWebhookVerification(
  slot: WebhookVerificationSlot,
  field: string,
  accountId: string,
): WebhookVerificationPlan {
  const provider = (slot.provider ?? '').toLowerCase();
  if (!isWebhookProvider(provider))
    throw new ConfigProblem(
      `${field}.provider`,
      ErrorCode.ERR_NGROK_7030,
      `"${slot.provider ?? ''}" is not supported; use one of ${webhookProviders.join(', ')}`,
    );
  const sealedSecret = slot.secret ?? '';
  if (!sealedSecret && !secretlessProviders.includes(provider))
    throw new ConfigProblem(`${field}.secret`, ErrorCode.ERR_NGROK_7027, `${provider} needs the signing secret`);
  return { name: 'webhook_verification', provider, accountId, sealedSecret };
}
