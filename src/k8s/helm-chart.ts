import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { stringifyDocuments } from './yaml-writer';
import { hardLink } from '../output/tree';

/** What to write into a generated local Helm chart. */
export interface LocalChartOptions {
  /** Chart name (a DNS label). */
  readonly name: string;
  /** Human-readable description. */
  readonly description: string;
  /** The rendered manifests, in apply order. */
  readonly documents: any[];
  /**
   * The documents already written as YAML (`Yaml.stringify(...documents)`), e.g. the text of the chart's manifest
   * file; saves rendering them a second time.
   * @default - rendered from `documents`
   */
  readonly manifests?: string;
  /**
   * A file that already holds exactly `manifests` (the chart's manifest file under `dist/k8s`): the chart's
   * `manifests/tenant.yaml` becomes a hard link to it instead of a second copy, when the file system allows.
   * @default - the manifests are written
   */
  readonly manifestsFile?: string;
}

// Templates are not run through Helm's template engine: the manifests are read verbatim with .Files.Get, so
// `{{ }}` in alert annotations or dashboards needs no escaping.
const TEMPLATE = `{{- range $path, $_ := .Files.Glob "manifests/*.yaml" }}
---
{{ $.Files.Get $path }}
{{- end }}
`;

/**
 * Write a tenant's manifests as a local Helm chart that Terraform's `helm_release` installs (docs/outputs.md, apply order).
 * The chart version carries a digest of the content, so any change to the manifests is a new chart version and
 * the release is upgraded; identical content gives identical bytes.
 */
export function writeLocalChart(directory: string, options: LocalChartOptions): string {
  const manifests = options.manifests ?? stringifyDocuments(options.documents);
  const digest = createHash('sha256').update(manifests).digest('hex').slice(0, 12);
  const version = chartVersion(digest);
  fs.rmSync(directory, { recursive: true, force: true });
  fs.mkdirSync(path.join(directory, 'templates'), { recursive: true });
  fs.mkdirSync(path.join(directory, 'manifests'), { recursive: true });
  fs.writeFileSync(path.join(directory, 'Chart.yaml'), stringifyDocuments([{
    apiVersion: 'v2',
    name: options.name,
    description: options.description,
    type: 'application',
    version,
    appVersion: digest,
  }]));
  fs.writeFileSync(path.join(directory, 'templates', 'manifests.yaml'), TEMPLATE);
  const target = path.join(directory, 'manifests', 'tenant.yaml');
  if (!options.manifestsFile || !hardLink(options.manifestsFile, target)) fs.writeFileSync(target, manifests);
  return version;
}

/**
 * `1.0.0-<digest>`, a SemVer 2 version with the digest as pre-release. A digest of decimal digits only with a leading
 * zero (about 1 chart in 2,800) would be a numeric identifier with a leading zero, which SemVer forbids and Helm
 * refuses ("chart.metadata.version ... is invalid"): that one gets `sha-` in front, every other version stays as it was.
 */
export function chartVersion(digest: string): string {
  return /^0\d*$/.test(digest) ? `1.0.0-sha-${digest}` : `1.0.0-${digest}`;
}

