import { Problems } from './problems';

/** The environment variable that selects a synthesis part in CI (`INOPSIO_SHARD=2/3`): see `SynthesisShard.fromEnvironment`. */
export const SYNTHESIS_SHARD_ENV_VAR = 'INOPSIO_SHARD';

/**
 * One part `index/count` of a horizontally split synthesis (docs/performance.md "Horizontal synthesis"): `count` CI
 * jobs each run `Platform.synth()` with their own part, and a final job merges their policy digests.
 *
 * Which files a part writes:
 * - part `k` of `n` writes the tenants of Terraform shards `s` with `(s - 1) mod n = k - 1` of every sharded
 *   environment: their manifests (`k8s/<env>/<tenant>.k8s.yaml`), local charts (`charts/<env>/<tenant>/`), Argo CD
 *   migration hooks (`argocd-hooks/<env>/<tenant>/`) and shard stacks (`cdktf.out/stacks/<env>-shard-NN/`);
 * - part 1, the designated part, also writes everything environment-wide: the whole of every environment that is not
 *   sharded (its single Terraform stack holds all of its tenants), the base and chart stacks of sharded environments,
 *   the environment charts, `manifest.json`, the inventory, the workflows and the GitHub environments stack;
 * - every part writes its policy digest (`<outdir>/synthesis-parts/part-<k>-of-<n>.json`) instead of the policy
 *   report, which the final job writes from all digests (`mergeSynthesisParts`).
 *
 * A part never constructs the tenant charts or the tenant Terraform of another part.
 */
export class SynthesisShard {
  /** Part `index` (1-based) of `count`. */
  public static of(index: number, count: number): SynthesisShard {
    const problems = new Problems('SynthesisShard');
    if (!Number.isInteger(count) || count < 1 || count > 99) {
      problems.add('count', 'is not a whole number from 1 to 99', count, 'split the synthesis into e.g. 4 parts');
    } else if (!Number.isInteger(index) || index < 1 || index > count) {
      problems.add('index', `is not a whole number from 1 to ${count}`, index, 'number the parts from 1');
    }
    problems.throwIfAny();
    return new SynthesisShard(index, count);
  }

  /** A part written `i/n` (as in `INOPSIO_SHARD=2/3`). */
  public static parse(text: string): SynthesisShard {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text ?? '');
    if (!m) {
      new Problems('SynthesisShard').add('text', 'is not a part "i/n"', text, 'write e.g. "2/3" (part 2 of 3)').throwIfAny();
    }
    return SynthesisShard.of(Number(m![1]), Number(m![2]));
  }

  /** The part `INOPSIO_SHARD` selects, or undefined (the whole platform) when it is unset or empty. */
  public static fromEnvironment(): SynthesisShard | undefined {
    const text = process.env[SYNTHESIS_SHARD_ENV_VAR];
    return text === undefined || text.trim() === '' ? undefined : SynthesisShard.parse(text);
  }

  private constructor(
    /** The part, from 1. */
    public readonly index: number,
    /** How many parts there are. */
    public readonly count: number,
  ) {}

  /** Whether this is part 1, which writes the environment-wide output. */
  public get designated(): boolean {
    return this.index === 1;
  }

  /** Whether this part writes Terraform shard `shard` (1-based) of a sharded environment and its tenants. */
  public ownsTerraformShard(shard: number): boolean {
    return (shard - 1) % this.count === this.index - 1;
  }

  /** `<index>-of-<count>`, as in file names. */
  public get label(): string {
    return `${this.index}-of-${this.count}`;
  }
}
