/**
 * The two calls the Platform makes after synthesis (TypeScript helpers; other languages call the PolicyReport methods).
 */
import { PolicyReport } from './pack';

/** The file name `writePolicyReport` writes. */
export const POLICY_REPORT_FILE = PolicyReport.FILE_NAME;

/** Write the report as `<directory>/policy-report.json` (the Platform writes it to `dist/`); returns the path. */
export function writePolicyReport(directory: string, report: PolicyReport): string {
  return report.write(directory);
}

/** Throw one error listing every unacknowledged ERROR finding of the report (see `PolicyReport.assertNoErrors`). */
export function assertPolicyCompliance(report: PolicyReport): void {
  report.assertNoErrors();
}
