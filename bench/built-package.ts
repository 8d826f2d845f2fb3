import type * as ClientModule from '../src/client/create-switchyard.js';
import { pathToFileURL } from 'node:url';
import { benchFile, spawnChild } from './child-process.js';

/*
 * The benchmarks measure the compiled package in dist/: what `npm install`
 * users import and what `switchyard serve` runs. Running src/ through tsx
 * instead adds esbuild's per-closure `__name` helpers and source-map work
 * that no user pays (about 5 % of a stream's CPU on the profile).
 */

/** dist/gateway/start-gateway.js, for the gateway children. */
export const BUILT_GATEWAY_MODULE = benchFile('../dist/gateway/start-gateway.js');

let built: Promise<void> | undefined;

/** Compiles src/ to dist/ (`npm run build`) once per run, so the figures are of the current sources. */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    const compiler = spawnChild({ name: 'tsc (build)', args: [benchFile('../node_modules/typescript/bin/tsc'), '-p', benchFile('../tsconfig.build.json')] });
    const code = await compiler.exited;
    if (code !== 0) throw new Error(`the build failed (tsc exit ${code}); the benchmarks measure dist/:\n${compiler.output()}`);
  })();
  return built;
}

/** The compiled client module (dist/client/create-switchyard.js), built first. */
export async function builtClient(): Promise<typeof ClientModule> {
  await ensureBuilt();
  return (await import(pathToFileURL(benchFile('../dist/client/create-switchyard.js')).href)) as typeof ClientModule;
}
