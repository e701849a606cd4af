import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether a build is out of date: an output is missing, or something under one of its inputs
 * (files, or folders walked whole; a folder's own time changes when a file is added or
 * removed) changed after the oldest output. Inputs that do not exist are skipped.
 */
export function isStale(outputs: readonly string[], inputs: readonly string[]): boolean {
  if (!outputs.every((output) => existsSync(output))) return true;
  const builtAt = Math.min(...outputs.map((output) => statSync(output).mtimeMs));
  return inputs.some((input) => changedAfter(input, builtAt));
}

function changedAfter(path: string, time: number): boolean {
  if (!existsSync(path)) return false;
  const stat = statSync(path);
  if (stat.mtimeMs > time) return true;
  return stat.isDirectory() && readdirSync(path).some((entry) => changedAfter(join(path, entry), time));
}
