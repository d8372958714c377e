/**
 * The signing process: started by the edge when it has certificates to make (signer.ts), it
 * makes each task it is sent and answers on the IPC channel. It exits when the edge lets go of
 * the channel, taking the certificate tooling's memory with it.
 */
import type { Pem, SigningAnswer, SigningRequest, SigningTask } from './tasks.ts';
import { createCa, createSamlSigningKey, issueLeaf } from './x509.ts';

function make(task: SigningTask): Promise<Pem> {
  switch (task.kind) {
    case 'local-ca':
      return createCa();
    case 'leaf':
      return issueLeaf(task.ca, task.leaf);
    case 'saml-signing-key':
      return createSamlSigningKey(task.commonName);
  }
}

process.on('message', (message: SigningRequest) => {
  const answer = (reply: SigningAnswer) => process.send?.(reply);
  make(message.task).then(
    (pem) => answer({ id: message.id, pem }),
    (err: unknown) => answer({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
