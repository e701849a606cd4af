import { Injectable, InjectionToken, inject, signal } from '@angular/core';
import { cutText } from '../../../domain/text-cut';

const DEVICE_NAME_KEY = 'fieldbook.deviceName';
/** Long enough for "Tablet 3, north crew"; the rules (domain/doc-rules.ts) allow up to 200. */
export const DEVICE_NAME_MAX_LENGTH = 60;

/** Where the device's name is kept; tests give their own. */
export const DEVICE_NAME_STORAGE = new InjectionToken<Storage>('DEVICE_NAME_STORAGE', { factory: () => localStorage });

/**
 * The name the user gave this device ("Tablet 3"), written into every change's audit stamp
 * next to the device id (`deviceName`) so the conflict screen can say which tablet made an
 * edit. A device setting: kept in localStorage, so it outlives logouts like the device id.
 */
@Injectable({ providedIn: 'root' })
export class DeviceNameService {
  private readonly storage = inject(DEVICE_NAME_STORAGE);
  private readonly state = signal<string | null>(this.read());

  /** The device's name, or null while it has none. */
  readonly name = this.state.asReadonly();

  /** Names the device; an empty name forgets it. */
  rename(name: string): void {
    const trimmed = cutText(name.trim(), DEVICE_NAME_MAX_LENGTH);
    if (trimmed) this.storage.setItem(DEVICE_NAME_KEY, trimmed);
    else this.storage.removeItem(DEVICE_NAME_KEY);
    this.state.set(trimmed || null);
  }

  private read(): string | null {
    return this.storage.getItem(DEVICE_NAME_KEY)?.trim() || null;
  }
}

/** A device id short enough to read ("Device 3f2a9c1b"), for a device that has no name. */
export function shortDeviceId(id: string): string {
  const short = id.slice('device-'.length, 'device-'.length + 8);
  return id.startsWith('device-') ? $localize`:@@device.short:Device ${short}:id:` : id.slice(0, 16);
}
