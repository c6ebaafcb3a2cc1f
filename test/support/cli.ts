import { main } from '../../src/lifecycle/cli';

/** What `inopsio-env <argv>` returned and wrote, run in process (`src/lifecycle/cli.ts` `main`). */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI in process with captured output: the one helper the CLI's tests share. */
export function runCli(...argv: string[]): CliRun {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}
