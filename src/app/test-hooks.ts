import { EnvironmentProviders, makeEnvironmentProviders } from '@angular/core';

/**
 * Test hooks: none in this build. The e2e build (`ng build -c production,e2e`, angular.json)
 * replaces this file with test-hooks.e2e.ts, so the production bundle carries no hook.
 */
export function provideTestHooks(): EnvironmentProviders {
  return makeEnvironmentProviders([]);
}
