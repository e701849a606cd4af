import type { FieldbookRole } from '../../../domain/roles';

/** Roles as the users page names them, in the middle of a sentence too ("alice was added as inspector"). */
export const ROLE_LABELS: Record<FieldbookRole, string> = {
  inspector: $localize`:@@users.role.inspector:inspector`,
  supervisor: $localize`:@@users.role.supervisor:supervisor`,
  admin: $localize`:@@users.role.admin:admin`,
  partner: $localize`:@@users.role.partner:partner`,
};
