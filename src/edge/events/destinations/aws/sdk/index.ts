/**
 * The AWS SDK's parts, one module per package, each re-exporting what the senders use. The
 * senders load them with import() on their first delivery, so that an edge with no AWS target
 * never loads the SDK. They import these modules rather than the packages: the packages are
 * CommonJS, and the CLI's bundle (esbuild) gives a CommonJS package's named exports to static
 * imports only; an import() of the package itself finds just its `default`.
 */
export const awsSdk = {
  kinesis: () => import('./kinesis.ts'),
  firehose: () => import('./firehose.ts'),
  cloudwatchLogs: () => import('./cloudwatch-logs.ts'),
  sts: () => import('./sts.ts'),
  httpHandler: () => import('./http-handler.ts'),
};
