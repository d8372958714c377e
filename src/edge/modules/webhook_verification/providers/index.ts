/** Every provider's verifier, by the provider id the configuration names. */
import type { WebhookProvider } from '../../../../config/modules/plans.ts';
import type { Verifier } from '../signed-request.ts';
import type { SnsCertificates } from '../sns-certificates.ts';
import { github } from './github.ts';
import { gitlab } from './gitlab.ts';
import { intercom } from './intercom.ts';
import { sendgrid } from './sendgrid.ts';
import { shopify } from './shopify.ts';
import { slack } from './slack.ts';
import { sns } from './sns.ts';
import { stripe } from './stripe.ts';
import { twilio } from './twilio.ts';
import { xero } from './xero.ts';

/** Builds a provider's verifier from the opened secret (once per snapshot; a bad key throws here). */
export type VerifierFactory = (secret: string, snsCertificates: SnsCertificates) => Verifier;

export const verifiers: Readonly<Record<WebhookProvider, VerifierFactory>> = {
  github,
  gitlab,
  intercom,
  sendgrid,
  shopify,
  slack,
  sns: (_secret, certificates) => sns(certificates),
  stripe,
  twilio,
  xero,
};
