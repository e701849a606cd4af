import type { FieldbookRole } from './roles';

/** Who a supervisor can assign work to and share approved work with, by user name. */
export interface Directory {
  inspectors: string[];
  partners: string[];
}

/** The enabled users by role, sorted. */
export function directoryOf(users: readonly { name: string; role: FieldbookRole | null; disabled: boolean }[]): Directory {
  const named = (role: FieldbookRole) =>
    users
      .filter((user) => user.role === role && !user.disabled)
      .map((user) => user.name)
      .sort();
  return { inspectors: named('inspector'), partners: named('partner') };
}
