// Placeholder: filled in by the emulator work (issue 3).
import type { Emulator } from '../emulator.js';

export function registerArtifactRegistry(_emu: Emulator): void {}
