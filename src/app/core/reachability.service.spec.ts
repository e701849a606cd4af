import { TestBed } from '@angular/core/testing';
import { filter, firstValueFrom } from 'rxjs';
import { HEALTH_CHECK, ReachabilityService } from './reachability.service';
import { waitFor } from '../testing/test-support';

describe('ReachabilityService', () => {
  let healthy: boolean;
  let health: () => Promise<boolean>;
  let online: boolean;
  let reachability: ReachabilityService;

  beforeEach(() => {
    healthy = true;
    health = () => Promise.resolve(healthy);
    online = true;
    spyOnProperty(navigator, 'onLine').and.callFake(() => online);
    TestBed.configureTestingModule({ providers: [{ provide: HEALTH_CHECK, useValue: () => health() }] });
    reachability = TestBed.inject(ReachabilityService);
  });

  it('is reachable when /health answers and unreachable when it does not', async () => {
    expect(await reachability.check()).toBeTrue();
    healthy = false;
    expect(await reachability.check()).toBeFalse();
    expect(reachability.reachable).toBeFalse();
  });

  it("goes offline on the browser's offline event, and back after a check on its online event", async () => {
    await reachability.check();
    online = false;
    window.dispatchEvent(new Event('offline'));
    expect(reachability.reachable).toBeFalse();
    online = true;
    window.dispatchEvent(new Event('online'));
    await waitFor(() => reachability.reachable, 'the check after the online event');
    expect(reachability.reachable).toBeTrue();
  });

  it("does not count a request's success while the browser says it has no network", () => {
    reachability.report(true);
    online = false;
    window.dispatchEvent(new Event('offline'));
    // A replication batch answered just before the network dropped.
    reachability.report(true);
    expect(reachability.reachable).toBeFalse();
  });

  it('is unreachable while the browser is offline, whatever /health said before', async () => {
    online = false;
    expect(await reachability.check()).toBeFalse();
  });

  describe('with a /health that never answers', () => {
    beforeEach(() => jasmine.clock().install());
    afterEach(() => jasmine.clock().uninstall());

    it('counts it as unreachable, and asks again', async () => {
      // A dead network that the browser has not noticed: the request neither fails nor answers.
      health = () => new Promise(() => undefined);
      const check = reachability.check();
      jasmine.clock().tick(60_000);
      expect(await check).toBeFalse();
      expect(reachability.reachable).toBeFalse();

      health = () => Promise.resolve(true);
      const back = firstValueFrom(reachability.reachable$.pipe(filter(Boolean)));
      jasmine.clock().tick(60_000);
      await back;
    });
  });
});
