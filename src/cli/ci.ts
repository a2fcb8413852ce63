// What CI needs from the CLI beyond flags: the GitHub Actions step summary, and a target identity
// that survives an emulator restart on another port (for saved plans).
import { appendFileSync } from 'node:fs';
import type { ControllerContext } from '../contract/controller.js';

/** Appends Markdown to the GitHub Actions job summary when the runner provides one. */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, `${markdown}\n`);
}

/** Running in CI: never prompt (CI=true is set by GitHub Actions, GitLab, Cloud Build and others). */
export const inCi = (env: NodeJS.ProcessEnv = process.env): boolean => env.CI === 'true' || env.CI === '1';

export const targetIdentity = (ctx: Pick<ControllerContext, 'project' | 'clients'>): string => `${ctx.clients.target.kind}:${ctx.project}`;
