// Errors a user can cause and fix (bad flags, unreachable target, a held lock). Printed as one
// message without a stack trace; anything else that escapes is a bug and shows its stack.
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n  ${hint}` : message);
  }
}
