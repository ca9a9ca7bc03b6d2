// Runs the cw command line in-process, as a user would type it, capturing what it prints.

import type { Io } from "../../src/cli/io.js";
import { runAsync } from "../../src/cli/main.js";

export interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `cw argv...` */
export const cw = (...argv: string[]): Promise<Ran> => cwWith({}, argv);

/** `cw argv...` with more of the terminal than two streams (colour, say). */
export async function cwWith(io: Partial<Io>, argv: readonly string[]): Promise<Ran> {
  let out = "";
  let err = "";
  const code = await runAsync(argv, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    ...io,
  });
  return { code, out, err };
}
