/**
 * Module secrets written before they were sealed at rest (webhook signing secrets, OAuth and
 * OIDC client secrets, traffic-policy action configs): reads already accept them in plain text,
 * and the edge seals them at start (server/seal-legacy-secrets.ts), rewriting each edge document
 * that still has one.
 */
import type { Doc } from '../../../store/resources.ts';
import type { ApiDeps } from '../../context.ts';
import { secretBox, type SecretBox } from '../../../config/secrets/key-encryption.ts';
import { httpsEdgeKind, tcpEdgeKind, tlsEdgeKind } from '../../../config/documents/edges.ts';
import {
  httpsEdgeModules,
  routeModules,
  tcpEdgeModules,
  tlsEdgeModules,
  type ModuleSpec,
  type StoredModule,
} from './modules/index.ts';

/** Each edge kind's own module slots; HTTPS edges also hold routes with theirs. */
const modulesOf: Record<string, readonly ModuleSpec[]> = {
  [httpsEdgeKind]: httpsEdgeModules,
  [tlsEdgeKind]: tlsEdgeModules,
  [tcpEdgeKind]: tcpEdgeModules,
};

function sealSlots<T extends Doc>(modules: readonly ModuleSpec[], slots: T, box: SecretBox): T {
  const out: Doc = { ...slots };
  for (const m of modules) if (out[m.name]) out[m.name] = m.sealPlaintext(out[m.name] as StoredModule, box);
  return out as T;
}

/** Seals every plaintext module secret in the store; resolves with how many documents changed. */
export async function sealPlaintextSecrets(deps: Pick<ApiDeps, 'store' | 'encryptionKey' | 'logger'>): Promise<number> {
  let changed = 0;
  for (const record of await deps.store.resources.all(Object.keys(modulesOf))) {
    const box = secretBox(deps.encryptionKey, record.account_id);
    const doc = sealSlots(modulesOf[record.kind]!, record.doc, box);
    if (Array.isArray(doc.routes)) doc.routes = doc.routes.map((route: Doc) => sealSlots(routeModules, route, box));
    if (JSON.stringify(doc) === JSON.stringify(record.doc)) continue;
    await deps.store.resources.update(record.account_id, record.kind, record.id, doc);
    changed++;
  }
  if (changed) deps.logger.info('sealed plaintext module secrets at rest', { documents: changed });
  return changed;
}
