import { TestBed } from '@angular/core/testing';
import { LANGUAGE_STORAGE, LanguageService, RELOAD_APP } from './language.service';
import { LANGUAGE_KEY } from './languages';

describe('LanguageService', () => {
  let stored: Map<string, string>;
  let reloads: number;

  function service(chosen?: string): LanguageService {
    stored = new Map(chosen ? [[LANGUAGE_KEY, chosen]] : []);
    reloads = 0;
    const storage = { getItem: (key: string) => stored.get(key) ?? null, setItem: (key: string, value: string) => stored.set(key, value) };
    TestBed.configureTestingModule({
      providers: [
        { provide: LANGUAGE_STORAGE, useValue: storage },
        { provide: RELOAD_APP, useValue: () => reloads++ },
      ],
    });
    return TestBed.inject(LanguageService);
  }

  it('is the language chosen on this device', () => {
    expect(service('es').current).toBe('es');
  });

  it('keeps a new choice on the device and starts the app again in it', () => {
    const languages = service('en');
    languages.choose('fr');
    expect(stored.get(LANGUAGE_KEY)).toBe('fr');
    expect(reloads).toBe(1);
  });

  it('does not restart for the language already shown', () => {
    service('fr').choose('fr');
    expect(reloads).toBe(0);
  });
});
