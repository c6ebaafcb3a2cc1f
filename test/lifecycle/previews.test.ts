import { buildInventory } from '../../src/lifecycle/inventory';
import { previewEnvironments, previewNames, PREVIEWS_ENV_VAR } from '../../src/lifecycle/previews';
import { Environment } from '../../src/model/environment';

describe('previews from the workflows\' INOPSIO_PREVIEWS', () => {
  const json = JSON.stringify([
    { branch: 'feature/JIRA-123_Add Billing!!', owner: 'dana', createdAt: '2026-11-28T09:00:00Z' },
    { branch: 'fix-login', owner: 'eve', createdAt: '2026-11-27T09:00:00Z' },
    { branch: 'fix-login', owner: 'eve', createdAt: '2026-11-27T09:00:00Z' },
  ]);

  test('one preview environment per distinct branch, named as Environment.preview() and preview-name name them', () => {
    const envs = previewEnvironments(json, { tenants: [{ id: 'acme' }] });
    expect(envs.map(e => e.name)).toEqual([previewNames('feature/JIRA-123_Add Billing!!').name, 'preview-fix-login']);
    expect(envs[0].name).toMatch(/^preview-feature-jira-123-add-bi-[0-9a-f]{6}$/);
    expect(envs[1]).toMatchObject({ sourceBranch: 'fix-login', owner: 'eve', expiresAt: '2026-11-29T09:00:00Z', workspace: 'inopsio-preview-fix-login' });
    expect(envs[1].tenants.map(t => t.id)).toEqual(['acme']);
    expect(buildInventory(envs).environments.map(e => e.expiresAt)).toEqual(['2026-11-30T09:00:00Z', '2026-11-29T09:00:00Z']);
    expect(previewNames('fix-login')).toEqual({ slug: 'fix-login', name: 'preview-fix-login', workspace: 'inopsio-preview-fix-login' });
    expect(Environment.preview({ branch: 'x/y', owner: 'o', createdAt: '2026-11-28T09:00:00Z' }).name).toBe(previewNames('x/y').name);
  });

  test('no variable, no previews', () => {
    expect(previewEnvironments(undefined)).toEqual([]);
    expect(previewEnvironments('  ')).toEqual([]);
    expect(previewEnvironments('[]')).toEqual([]);
  });

  test('bad input fails with every problem', () => {
    expect(() => previewEnvironments('{')).toThrow(new RegExp(`${PREVIEWS_ENV_VAR}: is not JSON`));
    expect(() => previewEnvironments('{"branch":"x"}')).toThrow(/value is not a JSON array/);
    const m = (() => {
      try {
        previewEnvironments(JSON.stringify([{ branch: 'a' }, { branch: 'b', owner: '', createdAt: 'yesterday' }]));
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(m).toMatch(/^3 problems:/);
    expect(m).toMatch(/\[0\] needs string fields branch, owner and createdAt/);
    expect(m).toMatch(/createdAt is not an ISO-8601 UTC instant/);
    expect(m).toMatch(/owner is required for an ephemeral environment/);
  });
});
