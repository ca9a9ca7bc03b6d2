// A usage mistake (a missing file, flags that do not go together): reported as "cw: <message>" with
// exit code 2, not as a diagnostic of the input. Its own module so that the command definitions can
// throw it without loading the topology reader.

export class UsageError extends Error {}
