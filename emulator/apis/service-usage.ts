// Placeholder: filled in by the emulator work (issue 3).
import type { Emulator } from '../emulator.js';

export function registerServiceUsage(_emu: Emulator): void {}
