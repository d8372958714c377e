/**
 * Facebook as a LoginFlow: plain OAuth 2.0, then the Graph API's `/me?fields=id,name,email`
 * with the user's token. Facebook returns only an email address the user has confirmed.
 */
import type { Identity, LoginFlow, LoginStart, Remembered } from '../identity/login-flow.ts';
import { authorizationStart, exchangeCode, getJson, text, type OAuthClient } from './oauth2-code.ts';
import type { OAuthProviderEndpoints } from './providers.ts';

export class FacebookLoginFlow implements LoginFlow {
  readonly provider = 'facebook';
  readonly clientId: string;
  private readonly app: OAuthClient;
  private readonly scopes: string[];

  constructor(
    settings: { clientId: string; scopes: string[] },
    clientSecret: string,
    private readonly urls: OAuthProviderEndpoints,
  ) {
    this.clientId = settings.clientId;
    this.scopes = settings.scopes;
    this.app = { clientId: settings.clientId, clientSecret };
  }

  begin(state: string, redirectUri: string, forceLogin: boolean): Promise<LoginStart> {
    const extra: Record<string, string> = forceLogin ? { auth_type: 'reauthenticate' } : {};
    return Promise.resolve(
      authorizationStart(this.urls.authorizeUrl!, this.app, { state, redirectUri, scopes: this.scopes, extra }),
    );
  }

  async complete(callback: URL, redirectUri: string, _state: string, r: Remembered): Promise<Identity> {
    const token = await exchangeCode(this.urls.tokenUrl!, this.app, callback, redirectUri, r.verifier ?? '');
    return this.refresh({ id: '', name: '', email: '', accessToken: token });
  }

  async refresh(user: Identity): Promise<Identity> {
    const token = user.accessToken ?? '';
    const me = await getJson(`${this.urls.apiUrl!.replace(/\/$/, '')}/me?fields=id,name,email`, token);
    return { id: text(me, 'id'), name: text(me, 'name'), email: text(me, 'email'), accessToken: token };
  }
}
