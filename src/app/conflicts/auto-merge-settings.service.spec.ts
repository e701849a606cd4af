import { TestBed } from '@angular/core/testing';
import { AutoMergeSettingsService } from './auto-merge-settings.service';

describe('AutoMergeSettingsService', () => {
  const key = 'fieldbook.autoMerge';
  afterEach(() => localStorage.removeItem(key));

  it('merges every type unless turned off, and remembers the setting on this device', () => {
    localStorage.removeItem(key);
    const settings = TestBed.inject(AutoMergeSettingsService);
    expect(settings.enabled('inspection')).toBeTrue();
    settings.set('inspection', false);
    expect(settings.enabled('inspection')).toBeFalse();
    expect(settings.enabled('defect')).toBeTrue();
    expect(JSON.parse(localStorage.getItem(key)!)).toEqual({ inspection: false });

    TestBed.resetTestingModule();
    expect(TestBed.inject(AutoMergeSettingsService).settings()).toEqual({ inspection: false });
  });

  it('ignores a damaged setting', () => {
    localStorage.setItem(key, '{"inspection": "no", "defect": false');
    expect(TestBed.inject(AutoMergeSettingsService).settings()).toEqual({});
  });
});
