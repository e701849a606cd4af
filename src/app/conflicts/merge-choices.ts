import { computed, signal } from '@angular/core';
import { unresolvedPaths } from '../../../domain/conflicts/conflict-resolution';
import { Choices, MergeResult, mergeLeaves } from '../../../domain/conflicts/three-way-merge';
import { conflictDiff } from './conflict-diff';

/**
 * A merge and the user's choice per conflicting field: the merge redone with the choices so far
 * (`preview`), its rows side by side, and the fields still waiting for a choice. Shared by the
 * conflict inbox and a draft meeting a newer version.
 */
export class MergeChoices {
  readonly choices = signal<Choices>({});
  /** The merge with the choices made so far. */
  readonly preview = computed(() => {
    const merge = this.merge();
    return merge ? mergeLeaves(merge.leaves, merge.ancestor, this.choices()) : null;
  });
  readonly rows = computed(() => {
    const [merge, preview] = [this.merge(), this.preview()];
    return merge && preview ? conflictDiff(merge, preview) : [];
  });
  readonly unresolved = computed(() => {
    const preview = this.preview();
    return preview ? unresolvedPaths(preview, this.choices()) : [];
  });

  constructor(readonly merge: () => MergeResult | null | undefined) {}

  choose(path: string, rev: string): void {
    this.choices.update((choices) => ({ ...choices, [path]: rev }));
  }

  reset(): void {
    this.choices.set({});
  }
}
