/** A mistake the user can fix (bad option, unknown field): printed as one line, exit code 2. */
export class UsageError extends Error {}
