import type { BuildOptions } from 'esbuild';
/** How Portico's code is bundled (bundle-options.js). */
export declare const bundleOptions: BuildOptions;
