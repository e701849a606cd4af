/**
 * Whether the page's `beforeunload` listeners would have the browser ask before it goes. They are
 * called, not sent the event: Karma takes a `beforeunload` on its window for a test reloading the
 * page. Call it before the listeners are added (it watches `window.addEventListener`).
 */
export function watchBeforeUnload(): () => boolean {
  const add = spyOn(window, 'addEventListener').and.callThrough();
  const remove = spyOn(window, 'removeEventListener').and.callThrough();
  const listenersOf = (spy: jasmine.Spy) =>
    spy.calls
      .allArgs()
      .filter(([type]) => type === 'beforeunload')
      .map(([, listener]) => listener as (event: Event) => void);
  return () => {
    const removed = listenersOf(remove);
    const event = new Event('beforeunload', { cancelable: true });
    for (const listener of listenersOf(add)) if (!removed.includes(listener)) listener(event);
    return event.defaultPrevented;
  };
}
