import { DatabaseEndpoint } from '../model/database-endpoint';
import { Environment } from '../model/environment';
import { EnvironmentClass } from '../model/environment-class';
import { slugify } from '../model/naming';
import { LifecycleValidationError, Problems } from '../model/problems';
import { TenantProps } from '../model/tenant';

/** The names a preview of a branch gets: the same as `Environment.preview({ branch })`. */
export interface PreviewNames {
  /** The slug of the branch (DNS label, ≤ 30 characters, hash-suffixed when the branch had to be changed). */
  readonly slug: string;
  /** The environment name, `preview-<slug>`. */
  readonly name: string;
  /** The Terraform Cloud workspace, `inopsio-preview-<slug>`. */
  readonly workspace: string;
}

/** The names of a branch's preview, computed by the one `slugify` that the Environment model uses. */
export function previewNames(branch: string): PreviewNames {
  const slug = slugify(branch);
  const name = `preview-${slug}`;
  return { slug, name, workspace: `inopsio-${name}` };
}

/** One preview request: the pull request's branch, its author, and the time the TTL starts. */
export interface PreviewRequest {
  /** Git branch. */
  readonly branch: string;
  /** Who asked for it (the pull request's author). */
  readonly owner: string;
  /** When the TTL starts (the pull request's last update), ISO-8601 UTC. */
  readonly createdAt: string;
}

/** Options for `previewEnvironments`. */
export interface PreviewEnvironmentsOptions {
  /**
   * Tenants every preview gets.
   * @default - none
   */
  readonly tenants?: TenantProps[];
  /**
   * The preview class.
   * @default EnvironmentClass.PREVIEW
   */
  readonly environmentClass?: EnvironmentClass;
  /**
   * The PostgreSQL server of every preview's tenant databases (see `EnvironmentProps.database`): needed when a module
   * value renders a database URL.
   * @default - none
   */
  readonly database?: DatabaseEndpoint;
}

/** The environment variable the generated workflows pass previews in: a JSON array of PreviewRequest. */
export const PREVIEWS_ENV_VAR = 'INOPSIO_PREVIEWS';

/**
 * The preview environments of a JSON array of `{ branch, owner, createdAt }` (what the generated workflows put in
 * `INOPSIO_PREVIEWS`), one per distinct branch. An empty or missing text gives no previews. Bad entries fail with
 * every problem listed.
 */
export function previewEnvironments(json: string | undefined, options: PreviewEnvironmentsOptions = {}): Environment[] {
  if (json === undefined || json.trim() === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new LifecycleValidationError([`${PREVIEWS_ENV_VAR}: is not JSON (${(e as Error).message}); pass a JSON array of { "branch", "owner", "createdAt" }`]);
  }
  const problems = new Problems(PREVIEWS_ENV_VAR);
  if (!Array.isArray(data)) {
    problems.add('value', 'is not a JSON array', data, 'pass [{ "branch": "...", "owner": "...", "createdAt": "2026-11-28T09:00:00Z" }]');
    problems.throwIfAny();
  }
  const out = new Map<string, Environment>();
  (data as unknown[]).forEach((entry, i) => {
    const e = (entry ?? {}) as PreviewRequest;
    if (typeof e.branch !== 'string' || typeof e.owner !== 'string' || typeof e.createdAt !== 'string') {
      problems.add(`[${i}]`, 'needs string fields branch, owner and createdAt', entry, 'pass { "branch": "...", "owner": "...", "createdAt": "..." }');
      return;
    }
    const env = problems.capture(() => Environment.preview({
      branch: e.branch,
      owner: e.owner,
      createdAt: e.createdAt,
      database: options.database,
      tenants: options.tenants,
      environmentClass: options.environmentClass,
    }));
    if (env && !out.has(env.name)) out.set(env.name, env);
  });
  problems.throwIfAny();
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
