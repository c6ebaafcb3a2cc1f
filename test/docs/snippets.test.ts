// Every TypeScript snippet of README.md and docs/*.md type-checks against the library (src/index.ts, as published).
//
// Each ```ts block becomes a module of its own: its imports of '@inopsio/env-lifecycle' resolve to src/index.ts,
// and a preamble supplies what a snippet takes from its context (the library's exports, the cdk8s or cdktf App, the
// environments and props the prose around it declares) unless the snippet imports or declares that name itself. A
// snippet that is a fragment of another one (the `App` of TenantChart's is cdk8s's) says which App with a comment
// `// cdk8s`; every other snippet gets cdktf's. Compiled in memory with the TypeScript compiler API (no files).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { Environment } from '../../src/model/environment';
import { Period } from '../../src/model/period';

const ROOT = path.resolve(__dirname, '..', '..');
const INDEX = path.join(ROOT, 'src', 'index.ts');
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => `docs/${f}`)];

interface Snippet {
  readonly doc: string;
  readonly line: number;
  readonly code: string;
}

function snippetsOf(doc: string): Snippet[] {
  const lines = fs.readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    out.push({ doc, line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return out;
}

/** What the prose around the snippets declares: `declare const <name>: <type>;`. */
const CONTEXT: { [name: string]: string } = {
  app: 'App',
  chart: 'Chart',
  prod: 'Environment',
  staging: 'Environment',
  dev: 'Environment',
  preview: 'Environment',
  environment: 'Environment',
  environments: 'Environment[]',
  tenant: 'Tenant',
  tenants: 'TenantProps[]',
  platform: 'Platform',
  backup: 'PlatformBackupProps',
  minio: 'EgressTarget',
  stack: 'EnvironmentStack',
  inventory: 'LifecycleInventory',
  obs: 'ObservabilityStack',
};
/** Names from the frameworks, by module. */
const FRAMEWORK: { [module: string]: string[] } = {
  cdk8s: ['Chart', 'ApiObject', 'JsonPatch', 'Yaml'],
  cdktf: ['TerraformStack', 'Testing'],
};

/** The names a snippet imports or declares at its top level. */
function ownNames(code: string): Set<string> {
  const names = new Set<string>();
  const file = ts.createSourceFile('s.ts', code, ts.ScriptTarget.ES2022, true);
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      if (clause?.name) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.add(e.name.text);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const collect = (n: ts.BindingName) => {
          if (ts.isIdentifier(n)) names.add(n.text);
          else for (const el of n.elements) if (!ts.isOmittedExpression(el)) collect(el.name);
        };
        collect(d.name);
      }
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st)) && st.name) {
      names.add(st.name.text);
    }
  }
  return names;
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  lib: ['lib.es2022.d.ts'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  esModuleInterop: true,
  experimentalDecorators: true,
  resolveJsonModule: true,
  types: ['jest', 'node'],
  baseUrl: ROOT,
  paths: { '@inopsio/env-lifecycle': [path.relative(ROOT, INDEX)] },
};

/** The library's exported names (values and types), read from src/index.ts. */
function libraryExports(): string[] {
  const program = ts.createProgram([INDEX], OPTIONS);
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
  return checker.getExportsOfModule(symbol).map(s => s.name).sort();
}

function moduleFor(s: Snippet, exported: readonly string[]): string {
  const own = ownNames(s.code);
  const importPath = './' + path.relative(path.join(ROOT, 'test', 'docs'), INDEX).replace(/\.ts$/, '');
  const code = s.code.replace(/from ['"]@inopsio\/env-lifecycle['"]/g, `from '${importPath}'`);
  const app = /\/\/ cdk8s\b/.test(s.code) ? 'cdk8s' : 'cdktf';
  const framework = Object.fromEntries(Object.entries(FRAMEWORK).map(([m, names]) => [m, names.filter(n => !own.has(n) && !exported.includes(n))]));
  if (!own.has('App')) framework[app].push('App');
  const preamble = [
    own.has('fs') ? '' : "import * as fs from 'fs';",
    ...Object.entries(framework).filter(([, n]) => n.length > 0).map(([m, n]) => `import { ${n.join(', ')} } from '${m}';`),
    `import { ${exported.filter(n => !own.has(n)).join(', ')} } from '${importPath}';`,
    ...Object.entries(CONTEXT).filter(([n]) => !own.has(n)).map(([n, type]) => `declare const ${n}: ${type};`),
  ];
  // The preamble is one line, so that the snippet's line numbers are off by exactly one.
  return `${preamble.join(' ')}\n${code}\nexport {};\n`;
}

describe('README.md and docs/*.md snippets type-check against the library', () => {
  const snippets = DOCS.flatMap(snippetsOf);
  const exported = libraryExports();

  test('there are snippets to check, and the library exports what they use', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(20);
    expect(exported).toEqual(expect.arrayContaining(['Platform', 'Environment', 'EnvironmentClass', 'PlatformTesting', 'previewEnvironments']));
  });

  test('every snippet compiles', () => {
    const dir = path.join(ROOT, 'test', 'docs');
    const files = new Map(snippets.map((s, i) => [path.join(dir, `__snippet_${i}.ts`), s]));
    const host = ts.createCompilerHost(OPTIONS);
    const texts = new Map([...files].map(([f, s]) => [f, moduleFor(s, exported)]));
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, onError, create) =>
      texts.has(name) ? ts.createSourceFile(name, texts.get(name)!, version, true) : getSourceFile(name, version, onError, create);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = name => texts.has(name) || fileExists(name);
    const readFile = host.readFile.bind(host);
    host.readFile = name => texts.get(name) ?? readFile(name);
    const program = ts.createProgram([...files.keys()], OPTIONS, host);
    const problems = ts.getPreEmitDiagnostics(program)
      .filter(d => d.file && files.has(d.file.fileName))
      .map(d => {
        const s = files.get(d.file!.fileName)!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${s.doc}:${s.line + line - 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  });

  test('no snippet holds a placeholder that cannot be pasted (<64 hex>, <hash>, "...")', () => {
    const found = snippets.filter(s => /<64 hex>|<hash>|^\s*\.\.\.\s*$/m.test(s.code)).map(s => `${s.doc}:${s.line}`);
    expect(found).toEqual([]);
  });

  test('the preview names README.md shows are the ones the code produces', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const preview = Environment.preview({ branch: 'feature/JIRA-123_Add Billing!!', owner: 'dana@inopsio.example', createdAt: '2026-11-28T09:00:00Z', ttl: Period.hours(72), tenants: [{ id: 'acme' }] });
    expect(readme).toContain("branch: 'feature/JIRA-123_Add Billing!!'");
    expect(readme).toContain(`preview.name;        // '${preview.name}'`);
    expect(readme).toContain(`preview.workspace;   // '${preview.workspace}'`);
    expect(readme).toContain(`preview.expiresAt;   // '${preview.expiresAt}'`);
    expect(readme).toContain(`preview.namespaceFor('acme'); // '${preview.namespaceFor('acme')}'`);
  });

  test('a snippet with a mistake is reported with its file and line (the check can fail)', () => {
    const s: Snippet = { doc: 'x.md', line: 10, code: "new Environment({ name: 'prod' });" };
    const text = moduleFor(s, exported);
    const file = path.join(ROOT, 'test', 'docs', '__snippet_bad.ts');
    const host = ts.createCompilerHost(OPTIONS);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, onError, create) =>
      name === file ? ts.createSourceFile(name, text, version, true) : getSourceFile(name, version, onError, create);
    const program = ts.createProgram([file], OPTIONS, host);
    const messages = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(messages.join('\n')).toMatch(/Property 'environmentClass' is missing/);
  });
});
