// Running cw in-process as a user types it, capturing what it prints and its exit code.

import { run } from "../../src/cli/main.js";

export interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export function cw(...argv: string[]): Ran {
  let out = "";
  let err = "";
  const code = run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}
