/**
 * The API's public address behind a reverse proxy: `--api-public-url` and
 * `--api-trusted-proxies`, checked when the edge starts (src/api/public-origin.ts uses them).
 */
import ipaddr from 'ipaddr.js';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';

/** How the API learns its public address (EdgeConfig.api). */
export interface ApiPublicAddress {
  /** `https://api.example.com` or `https://example.com/ngrok-api`: every URI starts with it. */
  publicUrl?: string;
  /** Addresses and CIDRs of reverse proxies whose X-Forwarded-* headers are believed. */
  trustedProxies?: string[];
}

/** `--api-public-url`: an http(s) URL without query or fragment, kept without a trailing slash. */
export function parsePublicUrl(text: string, flag = '--api-public-url'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PorticoError(ErrorCode.ERR_CONFIG_INVALID, `${flag}: "${text}" is not a URL`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username)
    throw new PorticoError(
      ErrorCode.ERR_CONFIG_INVALID,
      `${flag}: "${text}" must be an http(s) URL with no query, fragment or credentials`,
    );
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** `--api-trusted-proxies`: comma-separated addresses or CIDRs (`10.0.0.0/8,::1`). */
export function parseTrustedProxies(text: string, flag = '--api-trusted-proxies'): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const ok = item.includes('/') ? safe(() => ipaddr.parseCIDR(item)) : ipaddr.isValid(item);
    if (!ok) throw new PorticoError(ErrorCode.ERR_CONFIG_INVALID, `${flag}: "${item}" is not an IP address or CIDR`);
  }
  return items;
}

function safe(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}
