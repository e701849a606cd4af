import { USER_REASONS, type UserReason } from '../domain/api-reasons';

/** A change to a login refused for what was asked, not for a failing server: the CLI prints it, the admin API answers 400 with it. */
export class UserRefused extends Error {
  constructor(
    readonly kind: UserReason,
    name: string,
  ) {
    super(USER_REASONS[kind](name));
  }
}
