/**
 * `datadog` target (ngrok's): each batch POSTed to Datadog's HTTP log intake
 * (`https://http-intake.logs.<site>/api/v2/logs`, `DD-API-KEY` header), one log per event with
 * the target's `ddtags` and `service`. `ddsite` is a Datadog site ("datadoghq.com" when empty,
 * "datadoghq.eu", "us3.datadoghq.com", …) or one of Datadog's region names ("US1", "EU1", …).
 */
import type { EventEnvelope, EventJson } from '../envelope.ts';
import { expectOk, type DestinationKind } from './destination.ts';

/** Datadog's region names and their sites. */
const regionSites: Readonly<Record<string, string>> = {
  us1: 'datadoghq.com',
  us3: 'us3.datadoghq.com',
  us5: 'us5.datadoghq.com',
  eu1: 'datadoghq.eu',
  ap1: 'ap1.datadoghq.com',
  us1_fed: 'ddog-gov.com',
};

/** The intake URL for `ddsite`. */
export function datadogIntakeUrl(ddsite: string): string {
  const given = ddsite.trim().toLowerCase();
  const site = regionSites[given] ?? (/^[a-z0-9.-]+$/.test(given) ? given : 'datadoghq.com');
  return `https://http-intake.logs.${site}/api/v2/logs`;
}

export const datadogDestination: DestinationKind<'datadog'> = {
  target: 'datadog',
  create(target, accountId, deps) {
    const apiKey = deps.openSecret(accountId, target.api_key);
    const url = deps.datadogIntakeUrl ?? datadogIntakeUrl(target.ddsite);
    const timeoutMs = deps.requestTimeoutMs ?? 10_000;
    // A batch retried after a failure is sent again as the same array: its body is made once.
    const bodies = new WeakMap<readonly EventJson[], string>();
    const bodyOf = (batch: readonly EventJson[]): string => {
      let body = bodies.get(batch);
      if (body === undefined) {
        const logs = batch.map((event) => ({
          ddsource: 'portico',
          ...(target.ddtags && { ddtags: target.ddtags }),
          ...(target.service && { service: target.service }),
          message: event,
          ...(JSON.parse(event) as EventEnvelope),
        }));
        body = JSON.stringify(logs);
        bodies.set(batch, body);
      }
      return body;
    };
    return {
      async send(batch) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'dd-api-key': apiKey },
          body: bodyOf(batch),
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await expectOk(res, 'Datadog intake');
      },
    };
  },
};
