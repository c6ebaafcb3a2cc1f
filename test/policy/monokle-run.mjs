// Runs @monokle/validation (an ES module) outside Jest: only the pure-JS "pod-security-standards" and "practices"
// plugins, loaded by DefaultPluginLoader, which registers the core plugins and never fetches a remote plugin.
// Every network-backed plugin (kubernetes-schema downloads schemas, open-policy-agent downloads WASM, remote
// community plugins) is off. Input on stdin: {"files": [{"path": "...", "content": "<multi-document YAML>"}]}.
// Output on stdout: {"plugins": [...], "failedPlugins": [...], "resources": n, "rules": [{plugin, id, name}],
// "results": [{ruleId, level, message, file, resource: "<Kind>/<namespace>/<name>"}]}.
import { DefaultPluginLoader, DisabledFixer, MonokleValidator, ResourceParser, SchemaLoader } from '@monokle/validation';
import { parseAllDocuments } from 'yaml';

const input = JSON.parse(await new Promise(resolve => {
  let data = '';
  process.stdin.on('data', chunk => { data += chunk; });
  process.stdin.on('end', () => resolve(data));
}));

// Any attempt to reach the network fails the run instead of silently downloading something.
globalThis.fetch = async url => { throw new Error(`network access refused: ${url}`); };

const validator = new MonokleValidator({
  loader: new DefaultPluginLoader(),
  parser: new ResourceParser(),
  schemaLoader: new SchemaLoader(),
  suppressors: [],
  fixer: new DisabledFixer(),
}, {
  plugins: { 'pod-security-standards': true, 'practices': true },
});
await validator.preload({ plugins: { 'pod-security-standards': true, 'practices': true } });

// One monokle Resource per YAML document, with its own text and offset (what monokle's own file loaders produce).
const resources = [];
for (const file of input.files) {
  parseAllDocuments(file.content).forEach((doc, index) => {
    const content = doc.toJS();
    if (!content || typeof content !== 'object') return;
    const [start, , end] = doc.range;
    resources.push({
      id: `${file.path}#${index}`, // what monokle reports as the resource location
      fileId: file.path,
      filePath: file.path,
      fileOffset: 0,
      name: content.metadata?.name ?? '',
      apiVersion: content.apiVersion,
      kind: content.kind,
      namespace: content.metadata?.namespace,
      content,
      text: file.content.slice(start, end),
    });
  });
}
const response = await validator.validate({ resources });
const byId = new Map(resources.map(r => [r.id, r]));
const out = { plugins: validator.getPlugins().map(p => p.metadata.name).sort(), failedPlugins: validator.getFailedPlugins(), resources: resources.length, rules: [], results: [] };
for (const run of response.runs) {
  for (const ext of run.tool.extensions ?? []) {
    for (const rule of ext.rules ?? []) out.rules.push({ plugin: ext.name, id: rule.id, name: rule.name });
  }
  for (const r of run.results) {
    // The second location is the resource (uri "<file>#<index>") and the field it is about.
    const at = r.locations?.[1];
    const res = byId.get(at?.physicalLocation?.artifactLocation?.uri);
    out.results.push({
      ruleId: r.ruleId,
      level: r.level,
      message: r.message?.text,
      file: res?.filePath,
      resource: res ? `${res.kind}/${res.namespace ?? '-'}/${res.name}` : at?.physicalLocation?.artifactLocation?.uri,
      field: at?.logicalLocations?.find(l => l.kind === 'element')?.fullyQualifiedName,
    });
  }
}
process.stdout.write(JSON.stringify(out));
