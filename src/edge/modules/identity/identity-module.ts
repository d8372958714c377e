/**
 * The login workflow every identity module shares (oauth, oidc, saml), around a
 * provider's LoginFlow:
 * - capture: a request without a valid session (any method) is answered with a 302 to the
 *   provider; the request's URI is kept in an encrypted `<prefix>nonce.<id>` cookie (30 minutes);
 * - callback: `/oauth2/callback` checks the state against that cookie, lets the provider
 *   complete the login, checks the constraints, writes the `<prefix>session` cookie and sends
 *   the user back with a 302 GET of the captured URI;
 * - pass: with a session, the service gets `ngrok-auth-user-id`, `-user-name` and `-email`, and
 *   never sees the identity cookies.
 * - refresh (OAuth): every `checkIntervalS` the user is read again from the provider with their
 *   access token and the constraints checked anew; a grant that no longer works means a new login,
 *   a user no longer allowed is refused (and checked again on the next request).
 * `/oauth2/authorize` starts a new login (back to `/`), `/oauth2/logout` ends the session.
 * A provider with its own endpoints (SAML) is called back by a form POST at its callback path,
 * logs out at its logout path and serves its documents (login-flow.ts ProviderEndpoints).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { HttpModuleName, IdentityConstraints, IdentitySessionPlan } from '../../../config/modules/plans.ts';
import { ErrorCode, isPorticoError } from '../../../errors/catalogue.ts';
import type { Logger } from '../../../log/logger.ts';
import type { ModuleExchange } from '../../pipeline/exchange.ts';
import type { ModuleDecisions } from '../../pipeline/decisions.ts';
import type { HttpModule, Next } from '../../pipeline/http-module.ts';
import { requestHost, textAsHeaderValue } from '../../proxy/headers.ts';
import { commonRedirectUri, forwardableState, type CallbackOrigin } from './callback-origin.ts';
import { admits } from './constraints.ts';
import { parseCookies, setCookie, withoutCookies } from './cookies.ts';
import { readBoundedBody } from '../webhook_verification/read-body.ts';
import type { Identity, LoginFlow, ProviderEndpoints, Remembered } from './login-flow.ts';
import { CookieSealer, deriveSealKey } from './sealed-cookie.ts';
import {
  currentLoginState,
  currentSession,
  loginStateTtlS,
  needsCheck,
  needsRenewal,
  type LoginState,
  type SessionPayload,
} from './session.ts';

/** Paths an identity module answers itself on every host it protects. */
export const identityPaths = {
  /** The redirect URI registered with the provider: `https://<host>/oauth2/callback`. */
  callback: '/oauth2/callback',
  /** Starts a new login even with a session (the provider is asked to authenticate again). */
  authorize: '/oauth2/authorize',
  /** Ends the session (clears the session cookie). */
  logout: '/oauth2/logout',
} as const;

/** Bytes of a provider's form POST (a SAML response) the edge reads; past it the login fails. 256 KiB. */
const maxCallbackBodyBytes = 256 * 1024;

export interface IdentityModuleOptions {
  name: HttpModuleName;
  session: IdentitySessionPlan;
  constraints: IdentityConstraints;
  flow: LoginFlow;
  /** A digest of the module's whole configuration: a change ends every session. */
  configDigest: string;
  /** Seconds between refreshes of the user with the provider (`flow.refresh`); undefined: never. */
  checkIntervalS?: number;
  /** The edge's key for identity cookies (ModuleDeps.identity.cookieKey). */
  cookieKey: Buffer;
  /** The edge's common callback origin (ModuleDeps.identity.callbackOrigin), for flows on `/oauth2/callback`. */
  callbackOrigin?: CallbackOrigin;
  /** Counts logins, denials and failed logins (ModuleDeps.decisions). */
  decisions: ModuleDecisions;
  logger: Logger;
}

/** The module built around `o.flow`. */
export function identityModule(o: IdentityModuleOptions): HttpModule {
  const gate = new IdentityGate(o);
  return { name: o.name, handle: (ex, next) => gate.handle(ex, next) };
}

/** The cookies and host of one request. */
interface Visit {
  ex: ModuleExchange;
  sealer: CookieSealer;
  host: string;
  secure: boolean;
  cookies: Map<string, string>;
  now: number;
}

class IdentityGate {
  private readonly sessionCookie: string;
  private readonly noncePrefix: string;
  /** Sealers by owner (route or endpoint id): a chain serves one owner, so this holds one. */
  private readonly sealers = new Map<string, CookieSealer>();
  private readonly count: Record<'login' | 'denied' | 'failed', () => void>;

  constructor(private readonly o: IdentityModuleOptions) {
    const counter = (decision: 'login' | 'denied' | 'failed') => o.decisions.counter(o.name, decision);
    this.count = { login: counter('login'), denied: counter('denied'), failed: counter('failed') };
    this.sessionCookie = `${o.session.cookiePrefix}session`;
    this.noncePrefix = `${o.session.cookiePrefix}nonce.`;
  }

  async handle(ex: ModuleExchange, next: Next): Promise<void> {
    if (this.o.session.optionsPassthrough && ex.req.method === 'OPTIONS') return next();
    const v = this.visit(ex);
    const path = (ex.req.url ?? '/').split('?')[0]!;
    const own = this.o.flow.endpoints;
    if (own) {
      if (path === own.callbackPath) return this.postCallback(v, own);
      if (path === own.logoutPath) return this.logout(v);
      const doc = own.documents.get(path);
      if (doc) return ex.answer(200, { 'content-type': doc.contentType }, await doc.body());
    } else if (path === identityPaths.callback) return this.callback(v);
    else if (path === identityPaths.logout) return this.logout(v);
    if (path === identityPaths.authorize) return this.begin(v, '/', 'GET', true);
    let session = currentSession(this.openSession(v), this.o.session, v.now);
    const checked = session && needsCheck(session, this.o.checkIntervalS, v.now);
    if (session && checked) session = await this.refresh(v, session);
    if (!session) return this.begin(v, ex.req.url ?? '/', ex.req.method ?? 'GET', false);
    if (!admits(this.o.constraints, session.user))
      return (this.count.denied(), ex.refuse(ErrorCode.ERR_EDGE_IDENTITY_DENIED));
    const user = session.user;
    ex.identity = {
      module: this.o.name,
      provider: this.o.flow.provider,
      id: user.id,
      name: user.name,
      email: user.email,
    };
    ex.editUpstreamHeaders((headers) => this.identify(headers, user));
    if (checked || needsRenewal(session, this.o.session, v.now)) {
      const renewed = this.sessionSetCookie(v, { ...session, seenAt: v.now });
      ex.shapeResponse((head) => void head.headers.push('set-cookie', renewed));
    }
    return next();
  }

  /**
   * Refresh: the user as the provider sees them now, checked at `v.now`; undefined when the
   * grant no longer works. A user the constraints now refuse keeps the old check time, so the
   * next request asks the provider again (their access may have been granted meanwhile).
   */
  private async refresh(v: Visit, session: SessionPayload): Promise<SessionPayload | undefined> {
    if (!this.o.flow.refresh) return session;
    try {
      const user = await this.o.flow.refresh(session.user);
      return admits(this.o.constraints, user) ? { ...session, user, checkedAt: v.now } : { ...session, user };
    } catch (err) {
      this.o.logger.info('identity refresh failed; the user logs in again', { endpointId: v.ex.endpointId, err });
      return undefined;
    }
  }

  /** Capture: remembers the request and sends the user to the provider. */
  private async begin(v: Visit, uri: string, method: string, force: boolean): Promise<void> {
    const id = randomBytes(8).toString('hex');
    const core = `${id}.${randomBytes(16).toString('base64url')}`;
    const common = this.common();
    const state = common ? forwardableState(common, core, this.origin(v)) : core;
    let start;
    try {
      start = await this.o.flow.begin(state, this.redirectUri(v), force);
    } catch (err) {
      return this.fail(v, err, []);
    }
    const login: LoginState = {
      state,
      remembered: start.remember,
      uri,
      method,
      expiresAt: v.now + loginStateTtlS * 1000,
    };
    const name = this.noncePrefix + id;
    const sealed = v.sealer.seal(login, this.context(name, v));
    const cookies = [setCookie(name, sealed, loginStateTtlS, v.secure, !!this.o.flow.endpoints)];
    if (force) cookies.push(setCookie(this.sessionCookie, '', 0, v.secure));
    v.ex.answer(302, { location: start.url, 'set-cookie': cookies });
  }

  /** Callback: the provider sent the user back; completes the login and returns to the captured URI. */
  private async callback(v: Visit): Promise<void> {
    const url = this.requestUrl(v);
    const state = url.searchParams.get('state') ?? '';
    const { login, clear } = this.loginOf(v, state);
    if (!login) return v.ex.refuse(ErrorCode.ERR_EDGE_IDENTITY_STATE_INVALID, { 'set-cookie': clear });
    if (url.searchParams.has('error')) {
      this.o.logger.info('identity provider refused a login', {
        endpointId: v.ex.endpointId,
        error: url.searchParams.get('error'),
        description: url.searchParams.get('error_description'),
      });
      this.count.failed();
      return v.ex.refuse(ErrorCode.ERR_EDGE_IDENTITY_PROVIDER_ERROR, { 'set-cookie': clear });
    }
    return this.complete(v, url, state, login.remembered, login.uri, clear);
  }

  /**
   * The provider's form POST (SAML's ACS): its fields join the callback URL's query. Without a
   * login of this browser matching the state, the provider's flow decides (IdP-initiated) and
   * the user lands on `/`.
   */
  private async postCallback(v: Visit, own: ProviderEndpoints): Promise<void> {
    if (v.ex.req.method !== 'POST' || !v.ex.res) return v.ex.refuse(ErrorCode.ERR_EDGE_IDENTITY_STATE_INVALID);
    const url = await this.postedUrl(v);
    if (url === 'aborted') return;
    if (url === 'too-large') return this.fail(v, new Error('callback body too large'), []);
    const state = url.searchParams.get(own.stateField) ?? '';
    const { login, clear } = this.loginOf(v, state);
    return this.complete(v, url, login ? state : '', login?.remembered ?? {}, login?.uri ?? '/', clear);
  }

  /** Lets the provider complete the login; checks the constraints, writes the session, returns to `uri`. */
  private async complete(
    v: Visit,
    url: URL,
    state: string,
    remembered: Remembered,
    uri: string,
    clear: string[],
  ): Promise<void> {
    let user: Identity;
    try {
      user = await this.o.flow.complete(url, this.redirectUri(v), state, remembered);
    } catch (err) {
      return this.fail(v, err, clear);
    }
    if (!admits(this.o.constraints, user))
      return (this.count.denied(), v.ex.refuse(ErrorCode.ERR_EDGE_IDENTITY_DENIED, { 'set-cookie': clear }));
    this.count.login();
    const session = this.sessionSetCookie(v, { user, loginAt: v.now, seenAt: v.now, checkedAt: v.now });
    v.ex.answer(302, { location: safeLocalUri(uri), 'set-cookie': [...clear, session] });
  }

  /** The login of this browser `state` names (undefined when none matches) and the Set-Cookie clearing its nonce cookie. */
  private loginOf(v: Visit, state: string): { login: LoginState | undefined; clear: string[] } {
    const id = state.split('.')[0]!;
    if (!/^[0-9a-f]{16}$/.test(id)) return { login: undefined, clear: [] };
    const name = this.noncePrefix + id;
    const login = currentLoginState(v.sealer.open(v.cookies.get(name), this.context(name, v)), v.now);
    const clear = [setCookie(name, '', 0, v.secure)];
    return { login: login && sameText(login.state, state) ? login : undefined, clear };
  }

  /** The request URL with the fields of its form body (a provider's POST binding) added. */
  private async postedUrl(v: Visit): Promise<URL | 'aborted' | 'too-large'> {
    const body = await readBoundedBody(v.ex.req, maxCallbackBodyBytes);
    if (body === 'aborted' || body === 'too-large') return body;
    const url = this.requestUrl(v);
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) url.searchParams.append(key, value);
    return url;
  }

  private requestUrl(v: Visit): URL {
    return new URL(v.ex.req.url ?? '/', `${v.ex.scheme}://${v.ex.req.headers.host ?? v.host}`);
  }

  /**
   * Ends the session. A provider's message there (SAML single logout) is the flow's to check
   * and answer: the browser goes on with its answer, or gets its refusal, signed out either way.
   */
  private async logout(v: Visit): Promise<void> {
    const clear = { 'set-cookie': setCookie(this.sessionCookie, '', 0, v.secure) };
    const { endSession } = this.o.flow;
    if (endSession) {
      const posted = v.ex.req.method === 'POST';
      const url = posted ? await this.postedUrl(v) : this.requestUrl(v);
      if (url === 'aborted') return;
      if (url === 'too-large') return this.fail(v, new Error('logout body too large'), [clear['set-cookie']]);
      const rawQuery = (v.ex.req.url ?? '').split('?')[1] ?? '';
      const session = currentSession(this.openSession(v), this.o.session, v.now);
      let next: string | undefined;
      try {
        next = await endSession.call(this.o.flow, url, rawQuery, posted, session?.user);
      } catch (err) {
        this.o.logger.warn('identity logout refused', { endpointId: v.ex.endpointId, err });
        const code = isPorticoError(err) ? err.code : ErrorCode.ERR_EDGE_IDENTITY_PROVIDER_ERROR;
        return v.ex.refuse(code, clear);
      }
      if (next) return v.ex.answer(303, { ...clear, location: next });
    }
    const body =
      '<!doctype html><html><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>You are signed out.</h1></body></html>\n';
    v.ex.answer(200, clear, body);
  }

  /**
   * The identity headers for the service; the identity cookies removed from what it sees. The
   * provider's values go as their UTF-8 bytes (a name may be in any script: textAsHeaderValue).
   */
  private identify(headers: Record<string, unknown>, user: Identity): void {
    headers['ngrok-auth-user-id'] = textAsHeaderValue(user.id);
    headers['ngrok-auth-user-name'] = textAsHeaderValue(user.name);
    headers['ngrok-auth-email'] = textAsHeaderValue(user.email);
    for (const [name, value] of Object.entries(user.extras ?? {})) headers[name] = textAsHeaderValue(value);
    if (user.accessToken) headers['ngrok-oauth-access-token'] = user.accessToken;
    if (typeof headers.cookie === 'string') {
      const kept = withoutCookies(headers.cookie, (n) => n === this.sessionCookie || n.startsWith(this.noncePrefix));
      if (kept) headers.cookie = kept;
      else delete headers.cookie;
    }
  }

  private fail(v: Visit, err: unknown, setCookies: string[]): void {
    this.count.failed();
    const code = isPorticoError(err) ? err.code : ErrorCode.ERR_EDGE_IDENTITY_PROVIDER_ERROR;
    this.o.logger.warn('identity login failed', { endpointId: v.ex.endpointId, code, err });
    v.ex.refuse(code, setCookies.length ? { 'set-cookie': setCookies } : {});
  }

  /** The session cookie's payload, opened (undefined when absent, forged or sealed for another endpoint). */
  private openSession(v: Visit): unknown {
    return v.sealer.open(v.cookies.get(this.sessionCookie), this.context(this.sessionCookie, v));
  }

  private sessionSetCookie(v: Visit, payload: object): string {
    const value = v.sealer.seal(payload, this.context(this.sessionCookie, v));
    return setCookie(this.sessionCookie, value, this.o.session.maximumDurationS, v.secure);
  }

  private redirectUri(v: Visit): string {
    const common = this.common();
    if (common) return commonRedirectUri(common, v.ex.req.headers.host ?? v.host);
    const path = this.o.flow.endpoints?.callbackPath ?? identityPaths.callback;
    return `${v.ex.scheme}://${v.ex.req.headers.host ?? v.host}${path}`;
  }

  /** The common callback origin, for flows the provider calls back on `/oauth2/callback`. */
  private common(): CallbackOrigin | undefined {
    return this.o.flow.endpoints ? undefined : this.o.callbackOrigin;
  }

  /** `scheme://host[:port]` of this request, where a forwarded callback returns. */
  private origin(v: Visit): string {
    const port = /:(\d+)$/.exec(v.ex.req.headers.host ?? '')?.[1];
    return `${v.ex.scheme}://${v.host}${port ? `:${port}` : ''}`;
  }

  /** The associated data of a cookie: its name and the host, so it opens on no other domain. */
  private context(cookie: string, v: Visit): string {
    return `${cookie}\0${v.host}`;
  }

  private visit(ex: ModuleExchange): Visit {
    let sealer = this.sealers.get(ex.endpointId);
    if (!sealer) {
      const { flow, configDigest } = this.o;
      const binding = { owner: ex.endpointId, provider: flow.provider, clientId: flow.clientId, configDigest };
      sealer = new CookieSealer(deriveSealKey(this.o.cookieKey, binding));
      this.sealers.set(ex.endpointId, sealer);
    }
    const cookies = parseCookies(ex.req.headers.cookie);
    return { ex, sealer, host: requestHost(ex.req), secure: ex.scheme === 'https', cookies, now: Date.now() };
  }
}

/** A captured URI to redirect to on this host only: a path, never `//other.host` or `/\other.host`. */
export function safeLocalUri(uri: string): string {
  return uri.startsWith('/') && !uri.startsWith('//') && !uri.startsWith('/\\') ? uri : '/';
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
