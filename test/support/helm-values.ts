/**
 * What a chart receives from `--set-string name=value` parameters (Terraform helm_release `set`, Argo CD
 * `helm.parameters`): Helm's strvals parser, for the subset the framework writes. Names are dotted paths whose keys may
 * escape `.` (and other specials) with `\`, with `[i]` list indices; values escape `,` and `\` with `\`, and a leading
 * `{` with `\` (otherwise a list). Test helper: the effective values of both delivery paths are compared with it.
 */
export function effectiveHelmValues(parameters: ReadonlyArray<{ name: string; value: string }>): any {
  const root: any = {};
  for (const p of parameters) {
    const keys: Array<string | number> = [];
    let current = '';
    for (let i = 0; i < p.name.length; i++) {
      const c = p.name[i];
      if (c === '\\') {
        current += p.name[++i];
      } else if (c === '.') {
        if (current !== '') keys.push(current);
        current = '';
      } else if (c === '[') {
        if (current !== '') keys.push(current);
        current = '';
        const end = p.name.indexOf(']', i);
        keys.push(Number(p.name.slice(i + 1, end)));
        i = end;
      } else {
        current += c;
      }
    }
    if (current !== '') keys.push(current);
    const value = p.value.replace(/\\(.)/g, '$1');
    let node = root;
    keys.forEach((k, idx) => {
      if (idx === keys.length - 1) {
        node[k] = value;
        return;
      }
      if (node[k] === undefined) node[k] = typeof keys[idx + 1] === 'number' ? [] : {};
      node = node[k];
    });
  }
  return root;
}

/** A Terraform string as Terraform hands it to the provider: `$${` and `%%{` are literal `${` and `%{`. */
export function terraformLiteral(value: string): string {
  return value.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}
