// A command line that cannot be run as typed (a bad option value found after parsing), told
// apart from a failure of the work itself where the exit code carries meaning (the doctor's).
export class UsageError extends Error {}
