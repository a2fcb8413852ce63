// What CI needs from the CLI beyond flags: the GitHub Actions step summary and outputs, and whether to prompt.
import { appendFileSync } from 'node:fs';

/** Appends Markdown to the GitHub Actions job summary when the runner provides one. */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, `${markdown}\n`);
}

/** Running in CI: never prompt (CI=true is set by GitHub Actions, GitLab, Cloud Build and others). */
export const inCi = (env: NodeJS.ProcessEnv = process.env): boolean => env.CI === 'true' || env.CI === '1';

/** Appends step outputs (NAME=value lines) to GitHub Actions' GITHUB_OUTPUT file when the runner provides one. */
export function appendStepOutputs(lines: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_OUTPUT;
  if (file && lines) appendFileSync(file, lines);
}
