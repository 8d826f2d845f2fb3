import { rm } from 'node:fs/promises';
import { benchFile, spawnChild } from './child-process.js';

/*
 * For `--profile` runs the gateway runs from a tsc build with source maps (not
 * through tsx, whose transformed lines differ from the sources), so profile
 * locations map back to src/*.ts lines. The build goes to
 * bench/.profile-build (inside the project, so node_modules resolve) and is
 * removed afterwards.
 */

/** Where the profiling build is written. */
export const PROFILE_BUILD_DIRECTORY = benchFile('./.profile-build');

/** Compiles src/ to PROFILE_BUILD_DIRECTORY; returns the path of start-gateway.js, or undefined when tsc fails. */
export async function buildForProfiling(): Promise<string | undefined> {
  await removeProfileBuild();
  const compiler = spawnChild({
    name: 'tsc (profile build)',
    args: [
      benchFile('../node_modules/typescript/bin/tsc'),
      '-p',
      benchFile('../tsconfig.build.json'),
      '--outDir',
      PROFILE_BUILD_DIRECTORY,
      '--declaration',
      'false',
      '--sourceMap',
      'true',
    ],
  });
  const code = await compiler.exited;
  if (code !== 0) {
    console.error(`profile build failed (tsc exit ${code}); profiling through tsx instead, lines are approximate:\n${compiler.output()}`);
    return undefined;
  }
  return `${PROFILE_BUILD_DIRECTORY}/gateway/start-gateway.js`;
}

/** Deletes the profiling build. */
export function removeProfileBuild(): Promise<void> {
  return rm(PROFILE_BUILD_DIRECTORY, { recursive: true, force: true });
}
