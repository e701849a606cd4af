import { Injectable, signal } from '@angular/core';
import { AutoMergeSettings } from '../../../domain/conflicts/auto-resolve';
import { FieldbookDoc } from '../../../domain/doc-types';

const SETTINGS_KEY = 'fieldbook.autoMerge';

export const AUTO_MERGE_TYPES: readonly FieldbookDoc['type'][] = ['inspection', 'defect'];

/**
 * Whether conflicts whose versions changed different fields are merged without asking, per
 * document type: on unless turned off. A device setting, kept in localStorage.
 */
@Injectable({ providedIn: 'root' })
export class AutoMergeSettingsService {
  private readonly current = signal<AutoMergeSettings>(load());

  readonly settings = this.current.asReadonly();

  enabled(type: FieldbookDoc['type']): boolean {
    return this.current()[type] !== false;
  }

  set(type: FieldbookDoc['type'], enabled: boolean): void {
    const next = { ...this.current(), [type]: enabled };
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(next));
    this.current.set(next);
  }
}

function load(): AutoMergeSettings {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}');
    if (typeof stored !== 'object' || stored === null) return {};
    const settings: AutoMergeSettings = {};
    for (const type of AUTO_MERGE_TYPES) {
      const value = (stored as Record<string, unknown>)[type];
      if (typeof value === 'boolean') settings[type] = value;
    }
    return settings;
  } catch {
    return {};
  }
}
