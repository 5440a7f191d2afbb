/** Types of build.mjs, for the benchmarks that start the bundled server. */
export declare const bundlePath: string;
export declare function buildServer(): Promise<string>;
