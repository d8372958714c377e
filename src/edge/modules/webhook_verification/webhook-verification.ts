import type { WebhookVerificationPlan } from '../../../config/modules/plans.ts';
import { ErrorCode } from '../../../errors/catalogue.ts';
import type { ModuleDeps } from '../../pipeline/build.ts';
import type { ModuleExchange } from '../../pipeline/exchange.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { verifiers } from './providers/index.ts';
import { readBoundedBody } from './read-body.ts';
import type { SignedRequest, Verifier } from './signed-request.ts';

/**
 * `webhook_verification`: the request body is read (bounded) and checked against the
 * provider's signature scheme; a request that fails gets 403 ERR_NGROK_3204 (Xero: 401 with an
 * empty body, as its intent-to-receive check wants) and never reaches the service. One that
 * passes goes on with the very bytes that were read.
 */
export function webhookVerificationModule(plan: WebhookVerificationPlan, deps: ModuleDeps): HttpModule {
  const verifier = verifierFor(plan, deps);
  const { maxBodyBytes } = deps.webhooks;
  const unverified = deps.decisions.counter('webhook_verification', 'unverified');
  return {
    name: 'webhook_verification',
    async handle(ex, next) {
      // A WebSocket upgrade has no body: it is checked as an empty one (and no provider sends one).
      const body = ex.res ? await readBoundedBody(ex.req, maxBodyBytes) : Buffer.alloc(0);
      if (body === 'aborted') return;
      if (body === 'too-large') return ex.refuse(ErrorCode.ERR_EDGE_WEBHOOK_BODY_TOO_LARGE, { connection: 'close' });
      const verified = await Promise.resolve()
        .then(() => verifier(signedRequest(ex, body)))
        .catch(() => false);
      if (!verified) {
        unverified();
        return plan.provider === 'xero' ? unauthorized(ex) : ex.refuse(ErrorCode.ERR_EDGE_WEBHOOK_UNVERIFIED);
      }
      ex.replaceBody(body);
      return next();
    },
  };
}

/** The provider's verifier; one refusing everything when the secret cannot be opened or used. */
function verifierFor(plan: WebhookVerificationPlan, deps: ModuleDeps): Verifier {
  try {
    // A route's secret is sealed at rest; an agent's came in its bind and lives only in memory.
    const secret = plan.agentSecret
      ? plan.agentSecret.reveal()
      : plan.sealedSecret
        ? deps.openSecret(plan.accountId, plan.sealedSecret)
        : '';
    return verifiers[plan.provider](secret, deps.webhooks.snsCertificates);
  } catch (err) {
    deps.logger.warn('webhook verification secret unusable; the route refuses every request', {
      provider: plan.provider,
      err,
    });
    return () => false;
  }
}

function signedRequest(ex: ModuleExchange, body: Buffer): SignedRequest {
  const { req } = ex;
  return {
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    body,
    url: `${ex.scheme}://${req.headers.host ?? ''}${req.url ?? '/'}`,
    now: Math.floor(Date.now() / 1000),
  };
}

/** Xero's answer to a bad signature: 401 and nothing else. */
function unauthorized(ex: ModuleExchange): void {
  if (!ex.res) return ex.refuse(ErrorCode.ERR_EDGE_WEBHOOK_UNVERIFIED);
  ex.res.writeHead(401, { 'content-length': 0, 'cache-control': 'no-store' }).end();
}
