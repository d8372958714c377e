/** oidc-provider ships no types; test/support/oidc-idp.ts types the few calls it makes. */
declare module 'oidc-provider' {
  const Provider: unknown;
  export default Provider;
}
