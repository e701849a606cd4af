import { jsonEqual } from '../../../domain/conflicts/json-equal';
import { Choices, MergeResult, mergeLeaves } from '../../../domain/conflicts/three-way-merge';
import { LeafDoc, StoredDoc } from '../../../domain/conflicts/stored-doc';
import { FormValues } from './draft-store.service';

/** The versions of a draft merge, as the merge names them (choices point at one of these). */
export const MINE = '2-mine';
export const THEIRS = '2-theirs';
const BASE = '1-base';

/** A form's three versions: as it was when typing began, as typed, as stored now. */
export interface DraftVersions {
  /** Null when not known (a draft kept before this was recorded): the merge is then two-way. */
  base: FormValues | null;
  mine: FormValues;
  theirs: FormValues;
}

/**
 * The conflict inbox's three-way merge over a form's values: my typing and the newer stored
 * version, both descending from the version the typing began on. Whatever only one side
 * changed is merged; whatever both changed differently is a conflict, chosen per field
 * (`Choices` naming MINE or THEIRS). Unchosen conflicts take the stored version's value.
 */
export function mergeDraft(versions: DraftVersions, choices: Choices = {}): MergeResult {
  const leaf = (rev: string, values: FormValues): LeafDoc => ({
    ...values,
    _id: 'draft',
    _rev: rev,
    _revisions: { start: 2, ids: versions.base ? [rev.slice(2), BASE.slice(2)] : [rev.slice(2)] },
  });
  const ancestor: StoredDoc | null = versions.base && { ...versions.base, _id: 'draft', _rev: BASE };
  return mergeLeaves([leaf(THEIRS, versions.theirs), leaf(MINE, versions.mine)], ancestor, choices);
}

/** The form's values a merge ends with. */
export function mergedValues(merge: MergeResult): FormValues {
  const { _id, _rev, ...values } = merge.merged ?? { _id: '', _rev: '' };
  return values;
}

/** Whether the stored version changed anything the form shows since the typing began. */
export function changedSinceBase(versions: DraftVersions): boolean {
  return !versions.base || !jsonEqual(versions.base, versions.theirs);
}
