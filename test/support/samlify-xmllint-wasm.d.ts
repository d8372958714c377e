/** `@authenio/samlify-xmllint-wasm` ships no types: samlify's schema validator. */
declare module '@authenio/samlify-xmllint-wasm' {
  export function validate(xml: string): Promise<string>;
}
