import { Problems } from '../model/problems';
import { parseYamlDocuments } from '../output/yaml';

/**
 * Module values written as a values.yaml, for `TenantModuleProps.valuesJson` (issue 19.3). The model takes JSON (it
 * reads no YAML: src/output owns the one YAML loader, which the model may not import); this turns a values.yaml
 * into that JSON with the library's YAML loader, read as Helm reads values files (YAML 1.1: `yes` is true).
 */
export class HelmValues {
  /**
   * The JSON of a values.yaml (one document, a mapping): `valuesJson: HelmValues.fromYaml(fs.readFileSync('values.yaml', 'utf8'))`.
   * Throws a LifecycleValidationError when the text is not YAML or not a mapping.
   */
  public static fromYaml(text: string): string {
    const problems = new Problems('HelmValues.fromYaml');
    let docs: any[] = [];
    try {
      docs = parseYamlDocuments(text);
    } catch (e) {
      problems.add('text', 'is not YAML', (e as Error).message.replace(/^cannot parse YAML: /, ''), 'fix the YAML syntax');
    }
    if (docs.length > 1 || (docs.length === 1 && (typeof docs[0] !== 'object' || docs[0] === null || Array.isArray(docs[0])))) {
      problems.add('text', 'is not one YAML mapping', `${docs.length} document(s)`, 'write the values as in a values.yaml: one mapping of keys to values');
    }
    problems.throwIfAny();
    return JSON.stringify(docs[0] ?? {});
  }

  private constructor() {}
}
