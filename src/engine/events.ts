// What apply reports while it runs: the progress printer and the logs consume these.
import type { PlanAction } from './plan.js';

export type ApplyEvent =
  | { type: 'start'; action: PlanAction }
  | { type: 'done'; action: PlanAction; ms: number; note?: string }
  | { type: 'failed'; action: PlanAction; ms: number; error: string }
  | { type: 'skipped'; action: PlanAction; reason: string };

export type ApplyListener = (e: ApplyEvent) => void;
