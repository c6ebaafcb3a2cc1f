/**
 * The policy report does not change while the pack's evaluation is reworked for speed and memory (issue 20): the
 * policy-report.json of the reference platform and of a platform with (acknowledged) findings is byte for byte the one
 * the library wrote before that rework (report-identity/SOURCES.md).
 */
import * as fs from 'fs';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { App as TfApp } from 'cdktf';
import { synthesize, Variant } from './report-identity/platforms';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { TenantState } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';

const lib = { Platform, Environment, EnvironmentClass, EgressTarget, ContainerImage, TenantState, TfApp, JsonPatch };

describe('the policy report is the one written before the pack was reworked', () => {
  test.each<Variant>(['reference', 'with-findings'])('%s platform', variant => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', `report-identity-${variant}-`));
    try {
      const file = synthesize(lib, variant, dir);
      const written = fs.readFileSync(file, 'utf8').split(dir).join('<dir>');
      const expected = fs.readFileSync(path.join(__dirname, 'report-identity', `${variant}.policy-report.json`), 'utf8');
      // The fixture with findings has some: the comparison covers findings and acknowledgements, not only rules.
      if (variant === 'with-findings') expect(JSON.parse(expected).summary.acknowledgedFindings).toBe(5);
      expect(written).toEqual(expected);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
