/** `kinesalite` ships no types: a function making an http.Server that implements Kinesis's API. */
declare module 'kinesalite' {
  import type http from 'node:http';
  export default function kinesalite(options?: {
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
  }): http.Server;
}
