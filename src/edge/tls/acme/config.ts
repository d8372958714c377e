/** ACME settings of the edge (`portico edge --acme-…`). */
import type { ChallengeType } from './issue.ts';
import type { ScheduleOptions } from './schedule.ts';

/** Let's Encrypt's production directory: the default CA. */
export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

export interface AcmeConfig extends ScheduleOptions {
  /** The ACME directory URL. Default Let's Encrypt production. */
  directoryUrl: string;
  /** PEM certificates trusted for the ACME server in addition to the system roots (a test CA). */
  caCertPem?: string;
  /** Contact address registered with the account; optional. */
  email?: string;
  /** Challenge types in order of preference. Default ['http-01', 'tls-alpn-01']. */
  challengeTypes?: ChallengeType[];
}
