/* The e2e server: `npm start` on a data dir emptied first, so every run starts clean. */
import { rmSync } from 'node:fs';
import { E2E_DATA_DIR } from './e2e-env';

rmSync(E2E_DATA_DIR, { recursive: true, force: true });
require('../../scripts/start');
