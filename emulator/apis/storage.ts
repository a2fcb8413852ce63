// Placeholder: filled in by the emulator work (issue 3).
import type { Emulator } from '../emulator.js';

export function registerStorage(_emu: Emulator): void {}
