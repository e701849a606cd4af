import { EnvironmentInjector, createEnvironmentInjector, runInInjectionContext } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { HttpErrorResponse } from '@angular/common/http';
import { DIRECTORY_RETRY_MS, DirectoryState } from './directory-state';
import { Directory, DirectoryService } from './directory.service';

describe('DirectoryState', () => {
  const directory: Directory = { inspectors: ['alice'], partners: ['acme'] };
  let answers: (() => Promise<Directory>)[];
  let calls: number;
  let injector: EnvironmentInjector;

  beforeEach(() => {
    calls = 0;
    TestBed.configureTestingModule({
      providers: [{ provide: DirectoryService, useValue: { load: () => answers[Math.min(calls++, answers.length - 1)]() } }],
    });
    injector = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    jasmine.clock().install();
  });
  afterEach(() => jasmine.clock().uninstall());

  const refused = () => Promise.reject(new HttpErrorResponse({ status: 502, error: { error: 'bad_gateway', reason: 'down' } }));
  // The retry's load runs from a timer: its awaits settle over a few microtask turns.
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  it('loads again by itself after a failed load (a hub out of reach comes back), each wait longer', async () => {
    answers = [refused, refused, () => Promise.resolve(directory)];
    const state = runInInjectionContext(injector, () => new DirectoryState());
    await state.load();
    expect(state.error()).not.toBe('');
    jasmine.clock().tick(DIRECTORY_RETRY_MS[0]);
    await settle();
    expect(calls).toBe(2);
    jasmine.clock().tick(DIRECTORY_RETRY_MS[1] - 1);
    await settle();
    expect(calls).toBe(2);
    jasmine.clock().tick(1);
    await settle();
    expect(state.names()).toEqual(directory);
    expect(state.error()).toBe('');
  });

  it('stops trying once its page is gone', async () => {
    answers = [refused];
    const state = runInInjectionContext(injector, () => new DirectoryState());
    await state.load();
    injector.destroy();
    jasmine.clock().tick(DIRECTORY_RETRY_MS[0] * 2);
    await settle();
    expect(calls).toBe(1);
  });
});
