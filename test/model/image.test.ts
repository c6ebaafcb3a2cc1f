import * as fc from 'fast-check';
import { ContainerImage } from '../../src/model/image';
import { problemsOf } from '../support/problems';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('ContainerImage.fromDigest (B10, K30)', () => {
  test('parses registry, repository, optional tag and digest; keeps the reference as written', () => {
    const image = ContainerImage.fromDigest(`registry.example.com/platform/pg-backup@${DIGEST}`);
    expect(image.registry).toBe('registry.example.com');
    expect(image.repository).toBe('platform/pg-backup');
    expect(image.tag).toBeUndefined();
    expect(image.digest).toBe(DIGEST);
    expect(image.reference).toBe(`registry.example.com/platform/pg-backup@${DIGEST}`);
    expect(String(image)).toBe(image.reference);
    expect(ContainerImage.isContainerImage(image)).toBe(true);
    expect(ContainerImage.isContainerImage({ reference: image.reference })).toBe(false);

    const tagged = ContainerImage.fromDigest(`localhost:5000/pg-backup:15.6-1@${DIGEST}`);
    expect(tagged.registry).toBe('localhost:5000');
    expect(tagged.repository).toBe('pg-backup');
    expect(tagged.tag).toBe('15.6-1');
    expect(ContainerImage.fromDigest(`docker.io/library/postgres@${DIGEST}`).repository).toBe('library/postgres');
  });

  test.each([
    ['no digest', 'registry.example.com/pg-backup:15', /has no digest/],
    ['short digest', 'registry.example.com/pg-backup@sha256:abc', /digest that is not sha256/],
    ['upper-case digest', `registry.example.com/pg-backup@${DIGEST.toUpperCase().replace('SHA256', 'sha256')}`, /digest that is not sha256/],
    ['sha512 digest', `registry.example.com/pg-backup@sha512:${'a'.repeat(128)}`, /digest that is not sha256/],
    [':latest', `registry.example.com/pg-backup:latest@${DIGEST}`, /uses the tag "latest"/],
    [':LATEST', `registry.example.com/pg-backup:LATEST@${DIGEST}`, /uses the tag "latest"/],
    ['implicit Docker Hub', `postgres@${DIGEST}`, /names no registry/],
    ['implicit Docker Hub with path', `library/postgres@${DIGEST}`, /names no registry/],
    ['upper-case repository', `registry.example.com/Platform/pg@${DIGEST}`, /invalid repository path/],
    ['empty repository', `registry.example.com/@${DIGEST}`, /invalid repository path/],
    ['bad port', `registry.example.com:99999/pg@${DIGEST}`, /port outside 1-65535/],
    ['whitespace', ` registry.example.com/pg@${DIGEST}`, /contains whitespace/],
    ['empty', '', /is empty/],
  ])('refuses %s', (_what, reference, message) => {
    const problems = problemsOf(() => ContainerImage.fromDigest(reference));
    expect(problems.join('\n')).toMatch(message);
    for (const p of problems) {
      // House format: <path>: <field> <problem> (got <value>); <fix>
      expect(p).toMatch(/^ContainerImage\.fromDigest: (reference|allowedRegistries) .+ \(got .*\); .+$/);
    }
  });

  test('lists every problem at once', () => {
    const problems = problemsOf(() => ContainerImage.fromDigest('Postgres:latest'));
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/has no digest[\s\S]*uses the tag "latest"[\s\S]*names no registry[\s\S]*invalid repository path/);
  });

  test('allowed registries: exact host[:port] match, case-insensitive; an empty list is refused', () => {
    const allowedRegistries = ['registry.example.com', 'ghcr.io'];
    expect(ContainerImage.fromDigest(`GHCR.io/org/tool@${DIGEST}`, { allowedRegistries }).registry).toBe('GHCR.io');
    expect(problemsOf(() => ContainerImage.fromDigest(`docker.io/library/postgres@${DIGEST}`, { allowedRegistries })).join('\n'))
      .toContain('reference comes from registry "docker.io", which is not allowed (got');
    expect(problemsOf(() => ContainerImage.fromDigest(`registry.example.com:5000/x@${DIGEST}`, { allowedRegistries })).join('\n'))
      .toContain('registry "registry.example.com:5000", which is not allowed');
    expect(problemsOf(() => ContainerImage.fromDigest(`registry.example.com/x@${DIGEST}`, { allowedRegistries: [] })).join('\n'))
      .toContain('allowedRegistries is empty');
  });

  const hex = fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: 64, maxLength: 64 }).map(a => a.join(''));
  const component = fc.stringMatching(/^[a-z0-9]{1,8}([._-][a-z0-9]{1,8}){0,2}$/);
  const host = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.constantFrom('.example.com', '.io', '.internal'), fc.option(fc.integer({ min: 1, max: 65535 })))
    .map(([h, d, port]) => `${h}${d}${port === null ? '' : `:${port}`}`);
  const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/).filter(t => t.toLowerCase() !== 'latest'));

  test('property: every well-formed reference round-trips into its parts', () => {
    fc.assert(fc.property(host, fc.array(component, { minLength: 1, maxLength: 3 }), tag, hex, (registry, path, t, digest) => {
      const repository = path.join('/');
      const reference = `${registry}/${repository}${t === null ? '' : `:${t}`}@sha256:${digest}`;
      const image = ContainerImage.fromDigest(reference, { allowedRegistries: [registry] });
      expect(image.registry).toBe(registry);
      expect(image.repository).toBe(repository);
      expect(image.tag).toBe(t === null ? undefined : t);
      expect(image.digest).toBe(`sha256:${digest}`);
      expect(image.reference).toBe(reference);
    }));
  });

  test('property: a reference without a well-formed sha256 digest, or tagged latest, never passes', () => {
    fc.assert(fc.property(host, component, fc.string({ maxLength: 80 }), (registry, repo, suffix) => {
      fc.pre(!/^@sha256:[0-9a-f]{64}$/.test(suffix));
      const problems = problemsOf(() => ContainerImage.fromDigest(`${registry}/${repo}${suffix}`));
      expect(problems.length).toBeGreaterThan(0);
    }));
    fc.assert(fc.property(host, component, hex, fc.constantFrom('latest', 'Latest', 'LATEST'), (registry, repo, digest, latest) => {
      expect(problemsOf(() => ContainerImage.fromDigest(`${registry}/${repo}:${latest}@sha256:${digest}`)).join('\n')).toContain('uses the tag "latest"');
    }));
  });
});
