/**
 * A small browser for login flows: follows redirects (a 302 or 303 after a POST becomes a
 * GET, as browsers do) and keeps cookies per host and path, honouring Max-Age=0 and past
 * Expires. It trusts the edge's CA and resolves every name to 127.0.0.1.
 */
import type http from 'node:http';
import { request, type FetchResult } from './client.ts';

interface StoredCookie {
  value: string;
  path: string;
}

export interface Visit extends FetchResult {
  /** The URL of the last response. */
  url: string;
  /** Every URL requested, in order. */
  visited: string[];
}

export class Browser {
  /** Cookies by host name, then by cookie name. */
  private readonly jar = new Map<string, Map<string, StoredCookie>>();

  constructor(private readonly ca: string) {}

  /** Requests `url` and follows redirects; the last response and the URLs on the way. */
  async go(
    url: string,
    o: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string; follow?: boolean } = {},
  ): Promise<Visit> {
    const visited: string[] = [];
    let method = o.method ?? 'GET';
    let body = o.body;
    for (let hop = 0; hop < 20; hop++) {
      visited.push(url);
      const res = await this.fetch(url, method, o.headers, body);
      const location = res.headers.location;
      if (o.follow === false || !location || ![301, 302, 303, 307, 308].includes(res.status))
        return { ...res, url, visited };
      url = new URL(location, url).href;
      if (res.status !== 307 && res.status !== 308) [method, body] = ['GET', undefined];
    }
    throw new Error(`too many redirects: ${visited.join(' → ')}`);
  }

  /** The value of cookie `name` on `host`. */
  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name)?.value;
  }

  /** Names of the cookies kept for `host`. */
  cookieNames(host: string): string[] {
    return [...(this.jar.get(host)?.keys() ?? [])];
  }

  /** Sets (or with undefined removes) a cookie as if the server had. */
  setCookie(host: string, name: string, value: string | undefined): void {
    const cookies = this.jar.get(host) ?? new Map<string, StoredCookie>();
    if (value === undefined) cookies.delete(name);
    else cookies.set(name, { value, path: '/' });
    this.jar.set(host, cookies);
  }

  private async fetch(url: string, method: string, headers: http.OutgoingHttpHeaders = {}, body?: string) {
    const u = new URL(url);
    const cookie = [...(this.jar.get(u.hostname) ?? [])]
      .filter(([, c]) => u.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    const res = await request(url, {
      ca: this.ca,
      method,
      headers: { ...headers, ...(cookie ? { cookie } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    for (const line of res.headers['set-cookie'] ?? []) this.store(u, line);
    return res;
  }

  private store(u: URL, line: string): void {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const cookies = this.jar.get(u.hostname) ?? new Map<string, StoredCookie>();
    this.jar.set(u.hostname, cookies);
    const attr = (key: string) => attrs.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const expires = attr('expires');
    if (attr('max-age') === '0' || (expires && Date.parse(expires) <= Date.now())) return void cookies.delete(name);
    cookies.set(name, { value: pair!.slice(eq + 1), path: attr('path') ?? '/' });
  }
}
