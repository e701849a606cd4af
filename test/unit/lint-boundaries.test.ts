import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The import boundaries of eslint.config.js, checked on snippets linted as if they were files
// of each folder (the files need not exist).
const root = join(__dirname, '../..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.js') });

/** The no-restricted-imports messages for `code` linted as the file at `filePath` (relative to the root). */
async function boundaryViolations(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  const fatal = result!.messages.filter((message) => message.fatal);
  assert.deepEqual(fatal, [], `${filePath} did not parse`);
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

async function assertViolation(code: string, filePath: string, reason: string): Promise<void> {
  const violations = await boundaryViolations(code, filePath);
  assert.equal(violations.length, 1, `${filePath}: ${code} should be refused`);
  assert.match(violations[0]!, new RegExp(reason.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
}

async function assertAllowed(code: string, filePath: string): Promise<void> {
  assert.deepEqual(await boundaryViolations(code, filePath), [], `${filePath}: ${code} should be allowed`);
}

describe('lint: import boundaries', () => {
  it('src/ imports shared code from domain/ only', async () => {
    const reason = 'the app imports shared code from domain/ only';
    await assertViolation("import { x } from '../../couch/users';\nexport { x };\n", 'src/app/x.ts', reason);
    await assertViolation("import { x } from '../../../proxy/server';\nexport { x };\n", 'src/app/core/x.ts', reason);
    await assertViolation("export { x } from '../../../scripts/start';\n", 'src/app/core/x.ts', reason);
    await assertAllowed("import type { Inspection } from '../../../domain/doc-types';\nexport type { Inspection };\n", 'src/app/core/x.ts');
    await assertAllowed("import { x } from '../testing/test-support';\nexport { x };\n", 'src/app/core/x.ts');
  });

  it('Karma specs may also import test/fixtures/, not the rest of test/', async () => {
    await assertAllowed("import { x } from '../../../test/fixtures/documents';\nexport { x };\n", 'src/app/core/x.spec.ts');
    await assertAllowed("import { x } from '../../../test/fixtures/documents';\nexport { x };\n", 'src/app/testing/x.ts');
    await assertViolation(
      "import { x } from '../../../test/support/fixtures';\nexport { x };\n",
      'src/app/core/x.spec.ts',
      'test/fixtures/ only',
    );
    await assertViolation("import { x } from '../../../test/fixtures/documents';\nexport { x };\n", 'src/app/core/x.ts', 'domain/ only');
  });

  it('domain/ imports nothing but domain/', async () => {
    const reason = 'domain/ runs in the browser, Node and CouchDB';
    await assertViolation("import 'node:fs';\n", 'domain/x.ts', reason);
    await assertViolation("import { join } from 'path';\nexport { join };\n", 'domain/x.ts', reason);
    await assertViolation("import PouchDB from 'pouchdb-browser';\nexport { PouchDB };\n", 'domain/conflicts/x.ts', reason);
    await assertViolation("import { x } from '../couch/users';\nexport { x };\n", 'domain/x.ts', reason);
    await assertViolation("import { x } from '../../src/app/app';\nexport { x };\n", 'domain/conflicts/x.ts', reason);
    await assertAllowed("import type { LeafDoc } from './stored-doc';\nexport type { LeafDoc };\n", 'domain/conflicts/x.ts');
    await assertAllowed("import { docViolations } from '../doc-rules';\nexport { docViolations };\n", 'domain/conflicts/x.ts');
  });

  it('proxy/ imports from couch/ only the modules it needs', async () => {
    await assertAllowed("import { couchAdmin } from '../couch/couch-admin';\nexport { couchAdmin };\n", 'proxy/x.ts');
    await assertAllowed("import { SESSIONS_DB } from '../couch/user-sessions';\nexport { SESSIONS_DB };\n", 'proxy/x.ts');
    await assertAllowed("import { userDbName } from '../domain/user-db-name';\nexport { userDbName };\n", 'proxy/x.ts');
    await assertViolation("import { addUser } from '../couch/users';\nexport { addUser };\n", 'proxy/x.ts', 'shared code goes to domain/');
    await assertViolation(
      "import { x } from '../src/app/app';\nexport { x };\n",
      'proxy/x.ts',
      'the proxy imports from proxy/, couch/ and domain/ only',
    );
  });

  it('couch/ does not import from src/ or proxy/', async () => {
    const reason = 'couch/ may not import from src/ or proxy/';
    await assertViolation("import { startProxy } from '../proxy/server';\nexport { startProxy };\n", 'couch/x.ts', reason);
    await assertViolation("import { x } from '../../src/app/app';\nexport { x };\n", 'couch/design/x.ts', reason);
    await assertAllowed("import { roles } from '../domain/roles';\nexport { roles };\n", 'couch/x.ts');
  });
});
