/**
 * One JavaScript file per entry with its dependencies, run with plain `node` in production
 * (no tsx, no TypeScript compiler), as the proxy and the server tools are shipped.
 */
export interface NodeBundle {
  entryPoints: Record<string, string>;
  outdir: string;
  /** Left as `require` calls (loaded only on paths the bundle never takes). */
  external?: string[];
  /** Inputs a given output must not contain (module paths as esbuild names them): the build fails if it would. */
  forbidden(output: string): RegExp[];
}

export async function bundleForNode({ entryPoints, outdir, external, forbidden }: NodeBundle): Promise<void> {
  // A devDependency: only the build needs it (the image copies the result).
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints,
    outdir,
    external,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  for (const [output, { inputs }] of Object.entries(result.metafile.outputs)) {
    if (!output.endsWith('.js')) continue;
    const loaded = Object.keys(inputs).filter((input) => forbidden(output).some((pattern) => pattern.test(input)));
    if (loaded.length > 0) throw new Error(`${output} would load ${loaded.join(', ')}`);
  }
}
