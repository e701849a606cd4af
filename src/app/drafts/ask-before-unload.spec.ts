import { EnvironmentInjector, createEnvironmentInjector, runInInjectionContext } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { watchBeforeUnload } from '../testing/before-unload';
import { askBeforeUnload } from './ask-before-unload';

describe('askBeforeUnload', () => {
  it('has the browser ask while something is unsaved, and no more once its context ends', () => {
    const wouldAsk = watchBeforeUnload();
    const context = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    let unsaved = true;
    runInInjectionContext(context, () => askBeforeUnload(() => unsaved));

    expect(wouldAsk()).toBeTrue();
    unsaved = false;
    expect(wouldAsk()).toBeFalse();
    unsaved = true;
    context.destroy();
    expect(wouldAsk()).toBeFalse();
  });
});
