import { userDbName } from '../../domain/user-db-name';
import { serverAdmin } from './server-admin';

/** The user's inspections on the server, found by title (nano as admin). */
export async function serverInspectionsTitled(user: string, title: string): Promise<Record<string, unknown>[]> {
  const result = await serverAdmin()
    .use(userDbName(user))
    .find({ selector: { type: 'inspection', title } });
  return result.docs as unknown as Record<string, unknown>[];
}
