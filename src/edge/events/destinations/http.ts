/** `http` target (Portico): each batch POSTed as a JSON array of the events' text, signed (../signature.ts). */
import { porticoVersion } from '../../../version.ts';
import { signatureHeader, signBatch } from '../signature.ts';
import { expectOk, type DestinationKind } from './destination.ts';

export const httpDestination: DestinationKind<'http'> = {
  target: 'http',
  create(target, accountId, deps) {
    const secret = deps.openSecret(accountId, target.secret);
    const timeoutMs = deps.requestTimeoutMs ?? 10_000;
    return {
      async send(batch) {
        const body = `[${batch.join(',')}]`;
        const res = await fetch(target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': `portico-events/${porticoVersion}`,
            [signatureHeader]: signBatch(secret, body),
          },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await expectOk(res, target.url);
      },
    };
  },
};
