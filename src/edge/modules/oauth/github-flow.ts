/**
 * GitHub as a LoginFlow: plain OAuth 2.0, then the REST API with the user's token: `/user`
 * (numeric id, login, name), `/user/emails` (the primary verified address), and when the module
 * names organizations or teams, `/user/orgs` and `/user/teams` (the first 200 of each).
 */
import type { Identity, LoginFlow, LoginStart, Remembered } from '../identity/login-flow.ts';
import { authorizationStart, exchangeCode, getJson, text, type OAuthClient } from './oauth2-code.ts';
import type { OAuthProviderEndpoints } from './providers.ts';

/** Pages of 100 memberships read per list: ngrok checks the first 200. */
const membershipPages = 2;

/** What a GitHub login is made with. */
export interface GithubSettings {
  clientId: string;
  scopes: string[];
  /** Organization handles ("ngrok") and team handles ("ngrok/developers"), lower case. */
  organizations: string[];
  teams: string[];
}

export class GithubLoginFlow implements LoginFlow {
  readonly provider = 'github';
  readonly clientId: string;
  private readonly app: OAuthClient;

  constructor(
    private readonly settings: GithubSettings,
    clientSecret: string,
    private readonly urls: OAuthProviderEndpoints,
  ) {
    this.clientId = settings.clientId;
    this.app = { clientId: settings.clientId, clientSecret };
  }

  begin(state: string, redirectUri: string, forceLogin: boolean): Promise<LoginStart> {
    const extra: Record<string, string> = forceLogin ? { prompt: 'select_account' } : {};
    const o = { state, redirectUri, scopes: this.settings.scopes, extra };
    return Promise.resolve(authorizationStart(this.urls.authorizeUrl!, this.app, o));
  }

  async complete(callback: URL, redirectUri: string, _state: string, r: Remembered): Promise<Identity> {
    const token = await exchangeCode(this.urls.tokenUrl!, this.app, callback, redirectUri, r.verifier ?? '');
    return this.profile(token);
  }

  refresh(user: Identity): Promise<Identity> {
    return this.profile(user.accessToken ?? '');
  }

  /** Who the token belongs to, with the memberships the constraints name. */
  private async profile(token: string): Promise<Identity> {
    const user = await this.get('/user', token);
    const emails = await this.get('/user/emails', token);
    const primary = Array.isArray(emails) ? (emails as unknown[]).find((e) => isTrue(e, 'primary')) : undefined;
    const verified = primary !== undefined && isTrue(primary, 'verified');
    const login = text(user, 'login');
    const identity: Identity = {
      id: text(user, 'id'),
      name: text(user, 'name') || login,
      email: primary ? text(primary, 'email') : text(user, 'email'),
      emailVerified: verified,
      accessToken: token,
      extras: { 'ngrok-auth-github-user-id': login },
    };
    if (this.settings.organizations.length + this.settings.teams.length === 0) return identity;
    const memberships = await this.memberships(token);
    return { ...identity, ...memberships, extras: { ...identity.extras, ...memberships.extras } };
  }

  /**
   * The constrained organizations and teams the user is in, and the headers of the first match,
   * in ngrok's order: a team's parent organization, then the team, then an organization.
   */
  private async memberships(token: string): Promise<{ groups: string[]; extras: Record<string, string> }> {
    const orgs = (await this.list('/user/orgs', token)).map((o) => text(o, 'login').toLowerCase());
    const teams = (await this.list('/user/teams', token)).map((t) =>
      `${text((t as { organization?: unknown }).organization, 'login')}/${text(t, 'slug')}`.toLowerCase(),
    );
    const { organizations: wantOrgs, teams: wantTeams } = this.settings;
    const matchedTeams = teams.filter((t) => wantTeams.includes(t));
    const matchedOrgs = [...new Set([...orgs, ...teams.map((t) => t.split('/')[0]!)])].filter((o) =>
      wantOrgs.includes(o),
    );
    const extras: Record<string, string> = {};
    const teamOrg = teams.map((t) => t.split('/')[0]!).find((o) => wantOrgs.includes(o));
    const team = matchedTeams[0];
    const org = teamOrg ?? team?.split('/')[0] ?? matchedOrgs[0];
    if (org) extras['ngrok-auth-github-organization'] = org;
    if (team) extras['ngrok-auth-github-team'] = team;
    return { groups: [...matchedOrgs, ...matchedTeams], extras };
  }

  private async list(path: string, token: string): Promise<unknown[]> {
    const all: unknown[] = [];
    for (let page = 1; page <= membershipPages; page++) {
      const items = await this.get(`${path}?per_page=100&page=${page}`, token);
      if (!Array.isArray(items)) break;
      all.push(...(items as unknown[]));
      if (items.length < 100) break;
    }
    return all;
  }

  private get(path: string, token: string): Promise<unknown> {
    // GitHub's API refuses requests without a User-Agent.
    const headers = { accept: 'application/vnd.github+json', 'user-agent': 'portico-edge' };
    return getJson(`${this.urls.apiUrl!.replace(/\/$/, '')}${path}`, token, headers);
  }
}

function isTrue(o: unknown, key: string): boolean {
  return !!o && typeof o === 'object' && (o as Record<string, unknown>)[key] === true;
}
