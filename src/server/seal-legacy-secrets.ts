/**
 * Module secrets an older version stored in plain text are sealed at start, before anything
 * serves (api/resources/edges/seal-plaintext.ts does the work). A store records that it was
 * done, so later starts skip it without loading the API's module definitions: every write since
 * goes through the API, which seals. A store without edges (a new one) has nothing to seal, and
 * is marked without loading them either (issue 13: they bring the API's documents and the
 * certificate tooling into the edge).
 */
import { configKinds } from '../config/documents/kinds.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/store.ts';

/** The settings key saying the store's module secrets are all sealed. */
const sealedSetting = 'module_secrets_sealed';

export async function sealLegacySecrets(store: Store, encryptionKey: Buffer, logger: Logger): Promise<void> {
  if (await store.settings.get(sealedSetting)) return;
  const edges = await store.resources.all([configKinds.httpsEdge, configKinds.tlsEdge, configKinds.tcpEdge]);
  if (edges.length > 0) {
    const { sealPlaintextSecrets } = await import('../api/resources/edges/seal-plaintext.ts');
    await sealPlaintextSecrets({ store, encryptionKey, logger });
  }
  await store.settings.set(sealedSetting, new Date().toISOString());
}
