/** Codes of the edge process itself: its flags and addresses, local CA, ACME and store. */
import type { ErrorEntry } from './entry.ts';

export const edgeProcessErrors = {
  // Flags and listening
  ERR_CONFIG_INVALID: { status: 400, message: 'An edge flag or configuration value is invalid.' },
  ERR_LISTEN: {
    status: 500,
    message:
      'The edge could not bind one of its addresses. If the port is in use (is another `portico edge` running?), stop that program or pick another address with the flag named below.',
  },

  // Event delivery
  ERR_EVENT_TARGET_UNDELIVERABLE: {
    status: 501,
    message:
      'This event destination was stored with a target the edge cannot use (one stored before the API checked it); its events are counted as dropped. Replace its target through the API.',
  },
  ERR_EVENT_SPOOL_UNREADABLE: {
    status: 500,
    message:
      'Events kept at the last graceful stop could not all be read back from the data directory; those are not delivered. The file is kept for inspection at the path the log names (events-spool.json.unreadable, or where it was when it could not be opened).',
  },
  ERR_EVENT_DELIVERY_FAILED: {
    status: 502,
    message:
      'Events could not be delivered to the destination after every retry; they were dropped. Check that the destination is reachable and accepts the request.',
  },

  // Certificates the edge makes or orders
  ERR_TLS_CA_INVALID: {
    status: 500,
    message:
      'The local CA files in the data directory cannot be used (unreadable, not a CA, or the key does not match). Move ca.pem and ca-key.pem aside to create a new CA.',
  },
  ERR_TLS_SIGNING_FAILED: {
    status: 500,
    message:
      'The edge could not make a certificate (the cause follows). When its signing process failed, check that the edge can start a Node.js child process (memory, process limits).',
  },
  ERR_ACME_WILDCARD_NEEDS_DNS: {
    status: 400,
    message:
      'Wildcard names can only be validated over DNS-01, which this edge does not answer. Upload a certificate for the wildcard (/tls_certificates) and attach it with certificate_id.',
  },
  ERR_ACME_CHALLENGE_FAILED: {
    status: 502,
    message:
      'The ACME server could not validate the domain. Check that its DNS points at this edge and that ports 80 (HTTP-01) or 443 (TLS-ALPN-01) reach the edge. It is retried with backoff.',
  },
  ERR_ACME_ORDER_FAILED: {
    status: 502,
    message: 'The ACME server refused or failed the certificate order. It is retried with backoff.',
  },

  // Store
  ERR_STORE_OPEN: {
    status: 500,
    message: 'The store could not be opened or migrated. Check the data directory permissions and the database URL.',
  },
  ERR_STORE_CONFLICT: { status: 409, message: 'A record with this unique value already exists.' },
  ERR_STORE_NOT_FOUND: { status: 404, message: 'The record this refers to does not exist.' },
} as const satisfies Record<string, ErrorEntry>;
