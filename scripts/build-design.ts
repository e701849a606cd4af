/**
 * `npm run build:design`: compiles the design documents from TypeScript (couch/design/,
 * domain/doc-rules.ts) into dist/couch/design/<name>.json, which the bootstrap reads at run
 * time without the TypeScript compiler. Run from source, the bootstrap rebuilds them itself
 * when missing or stale (couch/design-docs.ts).
 */
import { buildDesignDocs } from '../couch/design/build';

for (const file of buildDesignDocs()) console.log(`Built ${file}`);
