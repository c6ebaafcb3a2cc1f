/** Options of `PlatformTesting.synth`. */
export interface PlatformTestingOptions {
  /**
   * Keep the temporary working directory instead of deleting it, for debugging; its path is
   * `PlatformSnapshot.directory`.
   * @default false
   */
  readonly keepDirectory?: boolean;
}
