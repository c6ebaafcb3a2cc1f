import * as path from 'path';

/**
 * The output layout of docs/outputs.md as code: where `Platform.synth()` writes each output, and where the policy
 * pack, the testing helpers and the CLI read it. Nothing else joins these path segments.
 *
 * ```
 * <outdir>/k8s/<env>/<chart>.k8s.yaml      manifests (one chart per tenant, and `platform`)
 * <outdir>/charts/<env>/<chart>/           the same manifests as local Helm charts
 * <outdir>/lifecycle.json                  the lifecycle inventory
 * <outdir>/policy-report.json              the policy report
 * <outdir>/workflows/*.yml                 GitHub Actions workflows
 * <cdktfOutdir>/manifest.json              cdktf's list of stacks
 * <cdktfOutdir>/stacks/<stack>/cdk.tf.json one Terraform configuration per stack (an environment, or its shards)
 * ```
 */
export class OutputLayout {
  /** The inventory's file name in the output folder. */
  public static readonly INVENTORY_FILE_NAME = 'lifecycle.json';
  /** The policy report's file name in the output folder. */
  public static readonly POLICY_REPORT_FILE_NAME = 'policy-report.json';
  /** A Terraform stack's file name in its folder. */
  public static readonly STACK_FILE_NAME = 'cdk.tf.json';

  /** The default layout: `dist/` and `cdktf.out/` in the working directory. */
  public static of(outdir: string = 'dist', cdktfOutdir: string = 'cdktf.out'): OutputLayout {
    return new OutputLayout(outdir, cdktfOutdir);
  }

  private constructor(
    /** The Platform's output folder (`dist`). */
    public readonly outdir: string,
    /** The cdktf App's output folder (`cdktf.out`). */
    public readonly cdktfOutdir: string,
  ) {}

  /** `<outdir>/k8s`: the manifests of every environment. */
  public get manifestsDirectory(): string {
    return path.join(this.outdir, 'k8s');
  }

  /** `<outdir>/k8s/<env>`: the manifests of one environment (a cdk8s App's outdir). */
  public manifestsOf(env: string): string {
    return path.join(this.manifestsDirectory, env);
  }

  /** `<outdir>/charts`: the local Helm charts of every environment. */
  public get chartsDirectory(): string {
    return path.join(this.outdir, 'charts');
  }

  /** `<outdir>/charts/<env>/<chart>`: one local Helm chart. */
  public chartOf(env: string, chart: string): string {
    return path.join(this.chartsDirectory, env, chart);
  }

  /** `<outdir>/lifecycle.json`. */
  public get inventoryFile(): string {
    return path.join(this.outdir, OutputLayout.INVENTORY_FILE_NAME);
  }

  /** `<outdir>/policy-report.json`. */
  public get policyReportFile(): string {
    return path.join(this.outdir, OutputLayout.POLICY_REPORT_FILE_NAME);
  }

  /** `<outdir>/workflows`. */
  public get workflowsDirectory(): string {
    return path.join(this.outdir, 'workflows');
  }

  /** `<cdktfOutdir>/manifest.json`: cdktf's list of the stacks it synthesized. */
  public get cdktfManifestFile(): string {
    return path.join(this.cdktfOutdir, 'manifest.json');
  }

  /** `<cdktfOutdir>/stacks`. */
  public get stacksDirectory(): string {
    return path.join(this.cdktfOutdir, 'stacks');
  }

  /** `<cdktfOutdir>/stacks/<stack>/cdk.tf.json`. */
  public stackFile(stack: string): string {
    return path.join(this.stacksDirectory, stack, OutputLayout.STACK_FILE_NAME);
  }
}
