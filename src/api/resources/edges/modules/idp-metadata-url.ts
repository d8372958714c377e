/**
 * `idp_metadata_url` of a SAML module: the IdP's metadata document fetched when the module is
 * written, so the route runs with the document the IdP publishes at that moment (written again
 * to take up a rotated certificate). https only (plain http when the edge allows http identity
 * providers, as tests do), 10 seconds, 1 MiB, no credentials sent.
 */
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { invalid } from '../../../errors.ts';

const timeoutMs = 10_000;
const maxBytes = 1024 * 1024;

/** The document at `url`; a 400 naming `field` when it cannot be fetched. */
export async function fetchIdpMetadata(url: string, field: string, allowHttp: boolean): Promise<string> {
  const fail = (why: string) => invalid(ErrorCode.ERR_SAML_METADATA_UNREACHABLE, field, why);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw fail('is not a URL');
  }
  if (target.protocol !== 'https:' && !(allowHttp && target.protocol === 'http:')) throw fail('must be an https URL');
  if (target.username || target.password) throw fail('must not carry credentials');
  let res: Response;
  try {
    res = await fetch(target, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    throw fail(`could not be fetched: ${(err as Error).message}`);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw fail(`answered HTTP ${res.status}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) throw fail('is larger than 1 MiB');
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks).toString('utf8');
}
