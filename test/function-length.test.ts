// No function in src/ longer than a screen: a function that does not fit is doing several things,
// and each should have a name. The limit is 80 lines (about a screen, with room for a signature and
// a comment). A function that had to stay longer for a while would be listed below, and the list
// only shrinks: a function that grows past the limit, or a new one, fails here.

import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { filesUnder } from "./support/files-under.js";

const ROOT = join(import.meta.dirname, "..");
const LIMIT = 80;

/** file:name of the functions still over the limit. */
const LONG_FOR_NOW: readonly string[] = [];

function nameOf(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return "(anonymous)";
}

/** Every function in `path` longer than LIMIT lines, as "src/file.ts:name (lines)". */
function longFunctions(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = file.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > LIMIT) found.push(`${relative(ROOT, path)}:${nameOf(node)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("function length", () => {
  it(`no function in src/ is longer than ${LIMIT} lines, but for the ones being split`, () => {
    const long = filesUnder(join(ROOT, "src"), (p) => p.endsWith(".ts"))
      .flatMap(longFunctions)
      .sort();
    expect(long).toEqual([...LONG_FOR_NOW].sort());
  });
});
