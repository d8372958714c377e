import type { BuildOptions } from 'esbuild';
/** How Portico's code is bundled (bundle-options.js). */
export declare const bundleOptions: BuildOptions;
/** The processes Portico starts itself, as entry points every bundle has (bundle-options.js). */
export declare const childEntryPoints: Record<string, string>;
