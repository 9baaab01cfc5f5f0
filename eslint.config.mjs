// Lint: typescript-eslint with type information, plus the import direction of
// docs/style: workflows import only @temporalio/workflow, domain/ and activity
// *types*; domain/ imports nothing with I/O; api/ never loads workflow code;
// zod (schemas) only in domain/*.schema.ts, never where workflows can reach it.
import { builtinModules } from 'node:module';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import strings are matched as written, so "the top-level activities/ folder"
 * depends on how deep the importing file sits: from workflows/x.ts it is
 * `../activities`, from workflows/stages/x.ts `../../activities` (while
 * `../activities` there is workflows/activities.ts, which is allowed).
 */
const MAX_DEPTH = 5;
const topFolder = (depth, folders) => `^(\\.\\./){${depth}}(${folders.join('|')})(/|$)`;

/** Node built-ins, both `fs` and `node:fs` spellings. */
const nodeBuiltins = {
  paths: builtinModules.map((name) => ({ name, message: 'deterministic code must not do I/O: no Node built-ins here' })),
  patterns: [{ regex: '^node:', message: 'deterministic code must not do I/O: no Node built-ins here' }],
};

/** Packages that talk to the outside world or run only in a worker/client process. */
const ioPackages = ['mongodb', 'express', 'pino', 'prom-client', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'].map(
  (name) => ({ name, message: `${name} does I/O or needs a worker/client process; keep it out of workflows/ and domain/` }),
);

/**
 * The worker evaluates every module of the workflow bundle again for each cached workflow, so a
 * schema library reachable from workflows/ costs memory per cached case. Schemas live in
 * domain/*.schema.ts, which neither workflows/ nor the other domain/ modules may import.
 */
const noSchemas = [
  {
    regex: '^zod(/|$)',
    allowTypeImports: true,
    message: 'no zod where workflows can reach it: schemas go in domain/*.schema.ts (see docs/architecture.md)',
  },
  {
    regex: '\\.schema$',
    allowTypeImports: true,
    message: 'domain/*.schema.ts (zod) is for the API, config and tests; workflow-reachable code uses the plain types and functions',
  },
];

/**
 * `patched()` and `deprecatePatch()` are called in one place, the patch registry
 * workflows/features.ts; everything else asks it by name (`isPatched`), so every patch id is
 * written once (docs/workflow-versioning.md, "A new patch: the rule").
 */
const patchApi = {
  name: '@temporalio/workflow',
  importNames: ['patched', 'deprecatePatch'],
  message: 'ask the patch registry instead: isPatched(name) / deprecated(name) from workflows/features.ts',
};

const workflowImports = (depth, { patchRegistry = false } = {}) => ({
  paths: [...nodeBuiltins.paths, ...ioPackages, ...(patchRegistry ? [] : [patchApi])],
  patterns: [
    ...nodeBuiltins.patterns,
    ...noSchemas,
    {
      regex: topFolder(depth, ['activities']),
      allowTypeImports: true,
      message: 'workflows reach activities only as types: `import type * as activities` + proxyActivities',
    },
    {
      regex: topFolder(depth, FOLDERS.filter((folder) => !['workflows', 'domain', 'activities'].includes(folder))),
      message: 'workflows import only @temporalio/workflow, domain/ and activity types',
    },
  ],
});

const domainImports = (depth, { schemas = false } = {}) => ({
  paths: [...nodeBuiltins.paths, ...ioPackages],
  patterns: [
    ...nodeBuiltins.patterns,
    ...(schemas ? [] : noSchemas),
    {
      regex: topFolder(depth, FOLDERS.filter((folder) => folder !== 'domain')),
      message: 'domain/ is the bottom layer: it imports no other folder of the project',
    },
  ],
});

const apiImports = (depth) => ({
  paths: [{ name: '@temporalio/worker', message: 'the API is a client: it never runs a worker' }],
  patterns: [{ regex: topFolder(depth, ['workflows']), message: 'the API never loads workflow code; use the contract in domain/' }],
});

/** Every top-level code folder of the project. */
const FOLDERS = ['activities', 'api', 'codec', 'config', 'desk', 'domain', 'integrations', 'observability', 'sandbox', 'scripts', 'store', 'test', 'tools', 'worker', 'workflows'];

/**
 * The import rule of a folder that may import only `allowed` of the project's other folders, and
 * `typesOnly` as types (the ports they define): the table in docs/architecture.md, as a lint.
 */
const onlyFolders = (self, allowed, typesOnly = []) => (depth) => {
  const forbidden = FOLDERS.filter((folder) => folder !== self && !allowed.includes(folder) && !typesOnly.includes(folder));
  const allowedText = [...allowed, ...typesOnly.map((folder) => `${folder} (types only)`)].join(', ') || 'no other folder';
  return {
    patterns: [
      { regex: topFolder(depth, forbidden), message: `${self}/ may import ${allowedText} of the project (docs/architecture.md)` },
      ...(typesOnly.length === 0
        ? []
        : [{ regex: topFolder(depth, typesOnly), allowTypeImports: true, message: `${self}/ reaches ${typesOnly.join(', ')} only as types: the ports they define` }]),
    ],
  };
};

const activityImports = onlyFolders('activities', ['domain'], ['store']);
const integrationImports = onlyFolders('integrations', ['domain', 'config'], ['activities']);
const storeImports = onlyFolders('store', ['domain'], ['activities', 'integrations', 'codec']);
const codecImports = onlyFolders('codec', ['domain', 'store']);
const configImports = onlyFolders('config', ['domain']);
const observabilityImports = onlyFolders('observability', ['config']);
const sandboxImports = onlyFolders('sandbox', ['domain', 'integrations', 'config']);

/** One config block per directory depth of `folder`, each with the import rule for that depth. */
const layerRule = (folder, rule, { extensions = 'ts', baseDepth = 0 } = {}) =>
  Array.from({ length: MAX_DEPTH }, (_, i) => ({
    files: [`${folder}/${'*/'.repeat(i)}*.${extensions}`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', rule(baseDepth + i + 1)] },
  }));

export default tseslint.config(
  // desk/dist is the desk's build; desk/src/api/schema.ts is generated (scripts/desk-api-types.ts).
  { ignores: ['node_modules/', '.tools/', '.data/', 'dist/', 'coverage/', 'desk/dist/', 'desk/src/api/schema.ts'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Activities and handlers are async by contract even when their body happens not to await.
      '@typescript-eslint/require-await': 'off',
      // Only the typescript-eslint variant, which understands `import type`.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
  },
  ...layerRule('workflows', workflowImports),
  {
    // The patch registry is the one module that calls patched() and deprecatePatch().
    files: ['workflows/features.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowImports(1, { patchRegistry: true })] },
  },
  ...layerRule('domain', domainImports),
  {
    // The schema modules may use zod (and each other); nothing workflow-reachable imports them.
    files: ['domain/*.schema.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', domainImports(1, { schemas: true })] },
  },
  ...layerRule('api', apiImports),
  ...layerRule('activities', activityImports),
  {
    // The reconciler's activities still build on store/ directly (its own home with a state
    // port is the next restructuring); every other activity reaches the database through a port.
    files: ['activities/read-model-reconciler.activities.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', onlyFolders('activities', ['domain', 'store'])(1)] },
  },
  ...layerRule('integrations', integrationImports),
  ...layerRule('store', storeImports),
  ...layerRule('codec', codecImports),
  ...layerRule('config', configImports),
  ...layerRule('observability', observabilityImports),
  ...layerRule('sandbox', sandboxImports),
  // The desk runs in the browser: of the project it may use only the pure domain/ modules.
  ...layerRule('desk/src', (depth) => ({ paths: nodeBuiltins.paths, patterns: [...nodeBuiltins.patterns, ...onlyFolders('desk', ['domain'])(depth).patterns] }), {
    extensions: '{ts,tsx}',
    baseDepth: 1,
  }),
  {
    // Tests poke at JSON bodies and mocks; `any` from res.json() is expected there.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
