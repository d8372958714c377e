/**
 * Codes of configuration that does not compile, refused on the write (config_error for what only
 * the live edge finds), and of uploaded certificates and keys.
 */
import type { ErrorEntry } from './entry.ts';

export const configErrors = {
  // References and shapes the compile checks
  ERR_NGROK_242: {
    status: 400,
    message:
      'The backend this refers to does not exist in your account (or does not compile). Create it under /backends first.',
  },
  ERR_NGROK_1607: {
    status: 400,
    message: 'The IP policy this refers to does not exist in your account. Create it under /ip_policies first.',
  },
  ERR_NGROK_1672: {
    status: 400,
    message:
      'The certificate authority this refers to does not exist in your account. Upload it under /certificate_authorities first.',
  },
  ERR_BACKEND_CYCLE: {
    status: 400,
    message: 'Backends would contain themselves through failover or weighted children, and traffic would loop.',
  },
  ERR_BACKEND_NOT_FOR_CONNECTIONS: {
    status: 400,
    message:
      'TLS and TCP edges carry connections, not HTTP requests: their backends may not contain an HTTP response backend.',
  },
  ERR_MODULE_NOT_ENFORCED: {
    status: 400,
    message:
      'This edge does not enforce this module yet, so it may not be enabled (it would let through the traffic it is meant to stop). Store it with "enabled": false, or leave it out.',
  },
  ERR_NGROK_7025: { status: 400, message: 'An IP restriction must name at least one IP policy.' },
  ERR_NGROK_1804: { status: 400, message: "An account's IP restriction must name at least one IP policy." },
  ERR_OIDC_CONFIG_INVALID: {
    status: 400,
    message: 'An OpenID Connect module needs an http(s) issuer URL and a client id; the detail names the field.',
  },
  ERR_HEADER_TEMPLATE_INVALID: {
    status: 400,
    ngrok: 'ERR_NGROK_370',
    message: 'A header value uses a variable this edge does not know; the message lists those it does.',
  },
  ERR_PATTERN_INVALID: {
    status: 400,
    message:
      'A pattern is not a valid RE2 regular expression (the syntax ngrok uses: no lookaround, no backreferences).',
  },
  ERR_MUTUAL_TLS_NEEDS_TERMINATION: {
    status: 400,
    ngrok: 'ERR_NGROK_1694',
    message:
      'mutual_tls needs the edge to terminate TLS (tls_termination.terminate_at "edge"): passing TLS through, the edge cannot check client certificates.',
  },

  // Hostports of edges
  ERR_HOSTPORT_INVALID: { status: 400, ngrok: 'ERR_NGROK_7104', message: 'A hostport must be "host:port".' },
  ERR_HOSTPORT_IN_USE: {
    status: 400,
    ngrok: 'ERR_NGROK_381',
    message: 'Another edge already serves this hostport; remove it there first.',
  },
  ERR_HOSTPORT_NOT_RESERVED: {
    status: 400,
    ngrok: 'ERR_NGROK_7118',
    message:
      'The hostport is not reserved by this account: reserve its domain (/reserved_domains) or address (/reserved_addrs) first.',
  },
  ERR_ADDR_NOT_RESERVED: {
    status: 400,
    ngrok: 'ERR_NGROK_7113',
    message: 'The TCP address is not reserved by this account: reserve one at /reserved_addrs and use its addr.',
  },
  ERR_NGROK_7129: {
    status: 400,
    message: 'The edge has more hostports than one edge may have; split them over several edges.',
  },

  // Uploaded certificates and keys (PEM)
  ERR_CERT_PEM_INVALID: {
    status: 400,
    message:
      'The text is not a PEM certificate bundle: paste each certificate from "-----BEGIN CERTIFICATE-----" to "-----END CERTIFICATE-----".',
  },
  ERR_CERT_CHAIN_ORDER: {
    status: 400,
    message:
      'The certificate bundle is out of order: put the leaf first, then each issuer after the certificate it signed.',
  },
  ERR_CERT_CHAIN_INCOMPLETE: {
    status: 400,
    message: 'The certificate bundle misses an intermediate: add the certificate that issued the one before the gap.',
  },
  ERR_CERT_KEY_INVALID: {
    status: 400,
    message: 'private_key_pem must hold exactly one valid PEM private key, the key of the leaf certificate.',
  },
  ERR_CERT_KEY_ENCRYPTED: {
    status: 400,
    ngrok: 'ERR_NGROK_1902',
    message:
      'The private key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem) and upload the plain key.',
  },
  ERR_CERT_KEY_UNSUPPORTED: {
    status: 400,
    ngrok: 'ERR_NGROK_1903',
    message: 'This kind of private key is not supported; use RSA, ECDSA or Ed25519 (PKCS#1, SEC 1 or PKCS#8).',
  },
  ERR_CERT_KEY_MISMATCH: {
    status: 400,
    ngrok: 'ERR_NGROK_1923',
    message:
      'The private key does not belong to the leaf certificate; send the key the leaf was issued for, and put the leaf first.',
  },
  ERR_CERT_NOT_CA: {
    status: 400,
    ngrok: 'ERR_NGROK_1913',
    message: 'A certificate authority must be a CA certificate (basicConstraints CA:TRUE).',
  },

  // SAML
  ERR_SAML_CONFIG_INVALID: {
    status: 400,
    message:
      "A SAML module needs the IdP's metadata XML with an entityID, a SingleSignOnService for the HTTP-Redirect binding and a signing certificate; the detail names what is missing.",
  },
  ERR_SAML_METADATA_UNREACHABLE: {
    status: 400,
    message:
      "The SAML module's idp_metadata_url could not be fetched (https, answering 200 within 10 seconds, at most 1 MiB, no redirects); the detail says why. Check the URL or give the metadata XML as idp_metadata.",
  },
  // OAuth
  ERR_OAUTH_MANAGED_APP_UNSUPPORTED: {
    status: 400,
    message:
      "ngrok's managed OAuth applications do not exist on a self-hosted edge: register your own application with the provider (redirect URL https://<your host>/oauth2/callback) and give its client_id and client_secret.",
  },
} as const satisfies Record<string, ErrorEntry>;
