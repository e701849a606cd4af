import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DESIGN_DOC_NAMES, designArtefactFile, fieldbookDesignDoc, readOnlyDesignDoc } from '../../couch/design-docs';
import { buildDesignDocsIfStale, compiledDesignDocText } from '../../couch/design/build';

/*
 * The bootstrap installs the design documents from dist/couch/design/*.json. Each must be
 * exactly what its TypeScript source compiles to now: an artefact that looks fresh by its
 * date (the stale check) but was built from other sources would install old rules.
 */
test('each built design document is what its source compiles to', () => {
  buildDesignDocsIfStale();
  for (const name of DESIGN_DOC_NAMES) {
    assert.equal(
      readFileSync(designArtefactFile(name), 'utf8'),
      compiledDesignDocText(name),
      `${designArtefactFile(name)} is stale: run "npm run build:design"`,
    );
  }
});

test('the bootstrap reads the artefacts', () => {
  assert.deepEqual(fieldbookDesignDoc(), JSON.parse(readFileSync(designArtefactFile('fieldbook'), 'utf8')));
  assert.equal(fieldbookDesignDoc()._id, '_design/fieldbook');
  assert.match(fieldbookDesignDoc().validate_doc_update, /^function \(newDoc, oldDoc, userCtx, secObj\) \{/);
  assert.deepEqual(readOnlyDesignDoc(), JSON.parse(readFileSync(designArtefactFile('read-only'), 'utf8')));
  // Each call hands out its own copy: a caller adding a _rev changes nothing for the next.
  (fieldbookDesignDoc() as { _rev?: string })._rev = '1-x';
  assert.equal(fieldbookDesignDoc()._rev, undefined);
});
