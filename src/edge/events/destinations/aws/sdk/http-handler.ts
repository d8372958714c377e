// What the senders use of @smithy/node-http-handler, loaded with import() on first delivery (see index.ts).
export { NodeHttpHandler } from '@smithy/node-http-handler';
