import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { invalidAclRules } from '../../config/acl/acl.ts';
import { ErrorCode } from '../../errors/catalogue.ts';
import type { Credential, CredentialCreate as CredentialFields } from '../../store/credentials.ts';
import { Description, Metadata } from '../resource-fields.ts';
import type { ApiDeps } from '../context.ts';
import { invalid } from '../errors.ts';
import { OwnerId, registerTokenResource } from './token-resource.ts';

// null (some clients send it for "no rules") is the same as [].
const Acl = Type.Union([Type.Array(Type.String()), Type.Null()]);
const CredentialCreate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  acl: Type.Optional(Acl),
  // Refused unless null or "": Portico has no users or bots to own one.
  owner_id: OwnerId,
});
const CredentialUpdate = Type.Object({
  description: Type.Optional(Description),
  metadata: Type.Optional(Metadata),
  acl: Type.Optional(Acl),
});

/** Refuses (ERR_NGROK_215) ACL rules that are not `bind:` rules of a known form; the trimmed rules. */
export function checkAcl(acl: string[]): string[] {
  const rules = acl.map((r) => r.trim());
  const bad = invalidAclRules(rules);
  if (bad.length) {
    throw invalid(
      ErrorCode.ERR_NGROK_215,
      'acl',
      `${bad.map((r) => JSON.stringify(r)).join(', ')} is not a rule; use bind:app.example.com, bind:*.example.com, bind:host:port, bind:key=value or bind:*`,
    );
  }
  return rules;
}

/** Credentials: the authtokens agents connect with, optionally limited by `bind:` ACL rules. */
export function registerCredentials(app: FastifyInstance, deps: ApiDeps): void {
  registerTokenResource<Credential, CredentialFields>(app, deps, {
    path: '/credentials',
    listKey: 'credentials',
    kind: 'credential',
    repo: deps.store.credentials,
    createSchema: CredentialCreate,
    updateSchema: CredentialUpdate,
    fields: (body) => {
      const { description, metadata, acl } = body as Static<typeof CredentialUpdate>;
      return { description, metadata, acl: acl === undefined ? undefined : checkAcl(acl ?? []) };
    },
    extra: (c) => ({ acl: c.acl }),
  });
}
