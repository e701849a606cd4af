// ESLint flat config (CommonJS: package.json has no "type"). `npm run lint` runs it, and
// `npm test` (so CI) runs `npm run lint` first. Not type-aware on purpose: the whole tree
// lints in seconds; `tsc` and `ng build` already type-check.
const { defineConfig, globalIgnores } = require('eslint/config');
const { builtinRules } = require('eslint/use-at-your-own-risk');
const tseslint = require('typescript-eslint');
const angular = require('angular-eslint');
const prettier = require('eslint-config-prettier');

// eslint:recommended without the @eslint/js package: the core rules ESLint itself marks
// recommended (typescript-eslint's recommended set turns off those TypeScript covers).
const eslintRecommended = Object.fromEntries(
  [...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']),
);

// Import boundaries: core no-restricted-imports, regexes over the import path. They check
// static imports and `export ... from`, not dynamic import() or require().
const folders = (names) => `^(\\.\\./)+(${names.join('|')})(/|$)`;

/** src/ (the PWA) shares code with the server through domain/ only. */
const appBoundary = {
  regex: folders(['couch', 'proxy', 'test', 'scripts', 'bench', 'e2e']),
  message: 'the app imports shared code from domain/ only',
};
/** The Karma specs (and their src/app/testing/ helpers) also share test/fixtures/ with the Node tests. */
const specBoundary = [
  { regex: folders(['couch', 'proxy', 'scripts', 'bench', 'e2e']), message: appBoundary.message },
  { regex: '^(\\.\\./)+test/(?!fixtures/)', message: 'Karma specs import from test/fixtures/ only, the rest of test/ is Node code' },
];

/** domain/ runs in the browser, in Node and (doc-rules.ts) inside CouchDB: it imports only domain/ modules. */
const domainBoundary = [
  { regex: '^(?!\\.\\.?/)', message: 'domain/ runs in the browser, Node and CouchDB: no packages, no node: modules' },
  {
    regex: '(^|/)(couch|proxy|src|test|scripts|bench|e2e|node_modules)(/|$)',
    message: 'domain/ runs in the browser, Node and CouchDB: it imports from domain/ only',
  },
];

/**
 * The proxy uses a few couch/ modules (admin client, user docs, the sessions db, the server
 * flavour, user-accounts and app-settings: the admin API's doors to logins and settings; the
 * conflict db the hub merge shares with `npm run conflicts`); anything more of
 * couch/ belongs in domain/ if shared, or stays in couch/.
 */
const proxyCouchModules = [
  'couch-admin',
  'user-docs',
  'user-sessions',
  'server-flavour',
  'user-accounts',
  'app-settings',
  'user-refused',
  'conflicts/nano-conflict-db',
];
const proxyBoundary = [
  {
    regex: `^(\\.\\./)+couch/(?!(${proxyCouchModules.join('|')})$)`,
    message: `the proxy imports from couch/ only ${proxyCouchModules.join(', ')}; shared code goes to domain/`,
  },
  { regex: folders(['src', 'test', 'scripts', 'bench', 'e2e']), message: 'the proxy imports from proxy/, couch/ and domain/ only' },
];

/** couch/ (server-side CouchDB work, CLIs) never reaches into the app or the proxy. */
const couchBoundary = { regex: folders(['src', 'proxy']), message: 'couch/ may not import from src/ or proxy/' };

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: patterns.flat() }] });

module.exports = defineConfig([
  globalIgnores([
    'dist/',
    'out-tsc/',
    '.angular/',
    'coverage/',
    '.data/',
    'test-results/',
    'playwright-report/',
    'e2e/.artifacts/',
    'docs/screenshots/',
  ]),

  {
    files: ['**/*.{ts,js}'],
    extends: [{ rules: eslintRecommended }, tseslint.configs.recommended],
    rules: {
      // `_name` marks a parameter or binding that is required by position but not used.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },

  // CommonJS config files run by Node (Karma, this file).
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // The Angular app: angular-eslint's recommended rules for classes and for templates, both
  // external (.html) and inline (extracted from `template:` by the processor).
  {
    files: ['src/**/*.ts'],
    extends: [angular.configs.tsRecommended],
    processor: angular.processInlineTemplates,
    rules: restrict(appBoundary),
  },
  { files: ['src/**/*.spec.ts', 'src/app/testing/**/*.ts'], rules: restrict(specBoundary) },
  {
    files: ['src/**/*.html'],
    extends: [angular.configs.templateRecommended],
  },
  {
    files: ['src/app/**/*.html'],
    ignores: ['src/**/*.spec.ts/**', 'src/app/testing/**'],
    rules: {
      // Every visible text and text attribute is marked for translation with a stable id
      // (@@area.what), so an untranslated string fails the lint; see README "Languages".
      '@angular-eslint/template/i18n': [
        'error',
        {
          checkId: true,
          checkText: true,
          checkAttributes: true,
          // One text may appear twice under one id (the header's bar and menu); two different
          // texts under one id fail the extraction instead (npm run i18n:extract).
          checkDuplicateId: false,
          // Attributes that are never shown: test ids, Material options, the app's own inputs naming fields.
          ignoreAttributes: [
            'data-testid',
            'testIdPrefix',
            'field',
            'noun',
            'matColumnDef',
            'appearance',
            'subscriptSizing',
            'inputmode',
            'autocapitalize',
            'accept',
            'capture',
            'aria-live',
            'aria-describedby',
            'mode',
            'align',
          ],
        },
      ],
    },
  },

  { files: ['domain/**/*.ts'], rules: restrict(domainBoundary) },
  {
    // docViolations is serialised into CouchDB's validate_doc_update: it is written in the
    // ES5 style that survives that (var), over untyped CouchDB documents (any).
    files: ['domain/doc-rules.ts'],
    rules: { 'no-var': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['proxy/**/*.ts'], rules: restrict(proxyBoundary) },
  { files: ['couch/**/*.ts'], rules: restrict(couchBoundary) },

  // Last: turn off the rules that only concern formatting, which Prettier owns.
  prettier,
]);
