import { MergeResult } from '../../../domain/conflicts/three-way-merge';

/** Who saved one version of a conflicted document, when and where, from its audit fields. */
export interface VersionInfo {
  rev: string;
  current: boolean;
  deleted: boolean;
  by: string | null;
  at: string | null;
  device: string | null;
  /** The name the user gave that device, when they had. */
  deviceName: string | null;
}

/** A version's column head, the winning one (`index` 0) current. */
export function versionInfo(leaf: MergeResult['leaves'][number], index: number): VersionInfo {
  return {
    rev: leaf._rev,
    current: index === 0,
    deleted: leaf._deleted === true,
    by: textOf(leaf['updatedBy']),
    at: textOf(leaf['updatedAt']),
    device: textOf(leaf['deviceId']),
    deviceName: textOf(leaf['deviceName']),
  };
}

/** Which versions a conflict has: choices name versions, so they only carry over while the versions are the same. */
export function versionsKey(merge: Pick<MergeResult, 'leaves'> | null | undefined): string {
  return merge?.leaves.map((leaf) => leaf._rev).join() ?? '';
}

/** A field of a version as text, or null when it holds none. */
export function textOf(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}
