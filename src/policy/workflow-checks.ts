import { WorkflowDocument } from './contents';
import { Report } from './rule';
import { checkGates, checkInjection, DEFAULT_DESTROY_GATES } from './rules/workflow-gates';
import { parseYaml } from '../output/yaml';

/** Options of `WorkflowChecks.checkDestroyGates`. */
export interface DestroyGateOptions {
  /**
   * GitHub environments that count as approval gates. Only literal names count: an environment given by an
   * expression could be anything at run time.
   * @default ['decommission-approval-1', 'decommission-approval-2', 'preview-cleanup']
   */
  readonly approvalEnvironments?: string[];
  /**
   * Distinct approval environments a destroying job needs, per workflow file; files not listed need one.
   * @default { 'decommission.yml': 2 }
   */
  readonly minimumApprovals?: { [fileName: string]: number };
}

/**
 * The workflow rules W01 (destroy gates) and W02 (no expression in a script) of the policy pack, over workflow texts
 * keyed by file name, for a quick check without a whole PolicyInput. `Platform.synth()` runs them as policy rules.
 * Each problem is `<file>: <where>: <what>; <fix>`; an empty list means the workflows pass.
 */
export class WorkflowChecks {
  /**
   * W01: every job that destroys something (terraform destroy, helm uninstall, kubectl delete, Vault revocation)
   * is gated by approval environments, in its own `environment:` or in jobs it needs, directly or transitively. A
   * gate does not count when a job on the way has an `if:` with `always()`, `failure()` or `cancelled()`, or when the
   * approval job has `continue-on-error`. Unparseable workflows are reported too.
   */
  public static checkDestroyGates(workflows: { [fileName: string]: string }, options: DestroyGateOptions = {}): string[] {
    const settings = {
      approvalEnvironments: options.approvalEnvironments ?? DEFAULT_DESTROY_GATES,
      minimumApprovals: options.minimumApprovals ?? { 'decommission.yml': 2 },
    };
    return check(workflows, (w, report) => checkGates(w, settings, report));
  }

  /** W02: no `run:` script contains a GitHub expression (`${{ ... }}`); pass values through `env:` instead. */
  public static checkScriptInjection(workflows: { [fileName: string]: string }): string[] {
    return check(workflows, checkInjection);
  }

  private constructor() {}
}

function check(workflows: { [fileName: string]: string }, rule: (w: WorkflowDocument, report: Report) => void): string[] {
  const problems: string[] = [];
  for (const file of Object.keys(workflows).sort()) {
    let doc: unknown;
    try {
      doc = parseYaml(workflows[file]);
    } catch (e) {
      problems.push(`${file}: is not valid YAML (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    rule({ file, doc }, (field, problem, _got, fix) => problems.push(`${file}: ${field}: ${problem}; ${fix}`));
  }
  return problems;
}
