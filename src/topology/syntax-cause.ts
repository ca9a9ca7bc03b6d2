// A YAML syntax error as one problem at its cause. One slip (a key without its colon, a line indented
// one space too far) makes the parser report a cascade of errors in its own words, most of them on
// lines that are fine, and its first error often points at the line before the slip. So only the
// first error is taken, and the lines around it are read to find what the user has to fix: the key
// missing its ':', the line indented under a key that already has a value, the line that lines up
// with nothing, the bracket never closed. Anything else keeps the parser's message, with what to do.

import type { YAMLError } from "yaml";

export interface SyntaxProblem {
  readonly message: string;
  /** Offsets into the text: what to underline. */
  readonly start: number;
  readonly end: number;
}

export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** The one problem to report for a file with syntax errors. */
export function syntaxCause(file: string, text: string, errors: readonly YAMLError[]): SyntaxProblem {
  const json = /\.json$/i.test(file) ? jsonSyntaxProblem(text) : undefined;
  if (json) return json;
  const first = [...errors].sort((a, b) => a.pos[0] - b.pos[0])[0] as YAMLError;
  // The parser ran out of stack: nesting, not a slip, and its own words ("maximum call stack size
  // exceeded") would not tell the user that.
  const deep = errors.find((e) => /call stack/i.test(e.message));
  if (deep) {
    return {
      message:
        "the lists and mappings here are nested too deeply to read; a topology needs a few levels, so check the brackets and indentation",
      start: deep.pos[0],
      end: deep.pos[1],
    };
  }
  const lines = readLines(text);
  const at = lines.findLast((l) => l.start <= first.pos[0]) ?? lines[0];
  return (
    (at &&
      (missingColon(first, at) ??
        indentedUnderValue(first, at, lines) ??
        linesUpWithNothing(first, at, lines) ??
        unclosedBracket(first, text))) ??
    syntaxProblem(first, text)
  );
}

/** A line as indentation sees it. Columns are 0-based. */
interface Line {
  readonly number: number;
  readonly start: number;
  readonly text: string;
  readonly indent: number;
  /** A list item: "- " at the indent. */
  readonly dash: boolean;
  /** Where the line's content starts: after the indent, and after "- " on a list item. */
  readonly column: number;
  /** The mapping key the line starts with, if it has one, and whether a value follows on the line. */
  readonly key?: string;
  readonly hasValue: boolean;
  readonly blank: boolean;
}

function readLines(text: string): Line[] {
  let start = 0;
  return text.split("\n").map((raw, i) => {
    const lineText = raw.replace(/\r$/, "");
    const indent = /^ */.exec(lineText)?.[0].length ?? 0;
    const dash = /^-(\s|$)/.test(lineText.slice(indent));
    const column = dash ? indent + 1 + (/^ */.exec(lineText.slice(indent + 1))?.[0].length ?? 0) : indent;
    const pair = /^("[^"]*"|'[^']*'|[^\s#"'[{][^:#]*?)\s*:(?:\s+(.*))?$/.exec(lineText.slice(column));
    const value = pair?.[2]?.replace(/(^|\s)#.*$/, "").trim() ?? "";
    const line: Line = {
      number: i + 1,
      start,
      text: lineText,
      indent,
      dash,
      column,
      ...(pair?.[1] !== undefined && { key: pair[1] }),
      hasValue: value !== "",
      blank: /^\s*(#.*)?$/.test(lineText),
    };
    start += raw.length + 1;
    return line;
  });
}

/** `region us-east1` or a bare `clusters` among keys: the parser reads a key that never ends. */
function missingColon(e: YAMLError, line: Line): SyntaxProblem | undefined {
  if (e.code !== "MULTILINE_IMPLICIT_KEY" || e.pos[0] !== line.start + line.column || line.key)
    return undefined;
  const content = line.text.slice(line.column).replace(/\s+#.*$/, "");
  const key = /^[^\s#]+/.exec(content)?.[0];
  if (!key || /[[{"']/.test(key[0] ?? "")) return undefined;
  const rest = content.slice(key.length).trim();
  const start = line.start + line.column;
  return {
    message: rest
      ? `"${key} ${rest}" has no ':' after the key; write ${key}: ${rest}`
      : `"${key}" has no ':' after it; write ${key}: and its value, or the lines indented below it`,
    start,
    end: start + key.length,
  };
}

/** A line indented under `key: value`: a key that already has a value cannot hold more. */
function indentedUnderValue(e: YAMLError, line: Line, lines: readonly Line[]): SyntaxProblem | undefined {
  if (e.code !== "BLOCK_AS_IMPLICIT_KEY" && e.code !== "MULTILINE_IMPLICIT_KEY") return undefined;
  if (!line.key || !line.hasValue || e.pos[0] <= line.start + line.column) return undefined;
  const next = lines.find((l) => l.number > line.number && !l.blank);
  if (!next || next.indent <= line.column) return undefined;
  const what = next.key ?? next.text.trim();
  const start = next.start + next.indent;
  return {
    message: `"${what}" is indented deeper than "${line.key}" on line ${line.number}, which already has a value, so it cannot go under it; indent it as ${line.key} is (${line.column} spaces), or move ${line.key}'s value onto indented lines below it`,
    start,
    end: start + (next.dash ? 1 : Math.max(1, what.length)),
  };
}

/** A key (or list item) whose indentation matches no mapping (or list) above it. */
function linesUpWithNothing(e: YAMLError, line: Line, lines: readonly Line[]): SyntaxProblem | undefined {
  const unaligned =
    (e.code === "BAD_INDENT" && /items must start at the same column/.test(e.message)) ||
    (e.code === "MISSING_CHAR" && /Sequence item without - indicator/.test(e.message));
  if (!unaligned) return undefined;
  // The columns above: list items' dashes for a list item, keys for a key.
  const above = lines
    .filter((l) => l.number < line.number && !l.blank && (line.dash ? l.dash : l.key !== undefined))
    .map((l) => ({ line: l, column: line.dash ? l.indent : l.column }))
    .filter((c) => c.column !== line.indent)
    .reverse();
  const nearest = above.reduce<(typeof above)[number] | undefined>(
    (best, c) => (!best || Math.abs(c.column - line.indent) < Math.abs(best.column - line.indent) ? c : best),
    undefined,
  );
  const what = line.dash ? "list item" : "key";
  const start = line.start + line.indent;
  const like = nearest
    ? `: indent it as ${line.dash ? "the item" : `"${nearest.line.key}"`} on line ${nearest.line.number} is (${nearest.column} spaces)`
    : "";
  return {
    message: `this ${what} is indented ${line.indent} spaces, which lines up with no ${line.dash ? "list" : "mapping"} above it; the ${line.dash ? "items of one list" : "keys of one mapping"} start in one column${like}`,
    start,
    end: start + (line.dash ? 1 : Math.max(1, line.key?.length ?? 1)),
  };
}

/** `[a, b` or `{ x: 1` left open: the parser complains where the next line starts. */
function unclosedBracket(e: YAMLError, text: string): SyntaxProblem | undefined {
  const expected = /end with an? ([\]}])/.exec(e.message)?.[1];
  if (!expected) return undefined;
  const open = expected === "]" ? "[" : "{";
  const stack: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < e.pos[0]; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote && text[i - 1] !== "\\") quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && /\s/.test(text[i - 1] ?? " "))
      i = text.indexOf("\n", i) < 0 ? e.pos[0] : text.indexOf("\n", i);
    else if (c === "[" || c === "{") stack.push(i);
    else if (c === "]" || c === "}") stack.pop();
  }
  const at = stack.findLast((i) => text[i] === open);
  if (at === undefined) return undefined;
  return {
    message: `this '${open}' is never closed; add the closing '${expected}' at the end of the ${open === "[" ? "list" : "mapping"}`,
    start: at,
    end: at + 1,
  };
}

// The yaml library's messages say what is wrong; this adds what to do, and moves the position to the
// token the user has to fix where the library reports a later one.
function syntaxProblem(e: YAMLError, text: string): SyntaxProblem {
  const [start, end] = e.pos;
  const what = lowerFirst(e.message.replace(/ at line \d+, column \d+.*$/s, "").trim());
  switch (e.code) {
    case "DUPLICATE_KEY": {
      const key = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s:,{}[\]]+)/.exec(text.slice(start))?.[0] ?? "";
      return {
        message: `the key ${/^["']/.test(key) ? key : JSON.stringify(key)} appears twice in one mapping; remove one of them or merge their values`,
        start,
        end: start + Math.max(1, key.length),
      };
    }
    case "TAB_AS_INDENT":
      return { message: "a tab is used for indentation; indent YAML with spaces only", start, end };
    case "MULTIPLE_DOCS":
      return {
        message:
          "the file holds more than one YAML document (a second one starts here); keep one document per file",
        start,
        end,
      };
    case "MISSING_CHAR":
      if (/quote/.test(e.message)) {
        // The library reports the end of the file; the quote that is never closed is what to fix.
        const quote = /'quote/.test(e.message) ? "'" : '"';
        const open = openingQuote(text, start, quote);
        return {
          message: `this ${quote === "'" ? "single" : "double"} quote is never closed; add the closing ${quote}`,
          start: open,
          end: open + 1,
        };
      }
      break;
  }
  return {
    message: `${what}; fix the syntax here (check indentation, colons, quotes and brackets)`,
    start,
    end,
  };
}

// A JSON file is read as YAML (JSON is YAML 1.2), but for a broken one the YAML parser speaks of YAML
// ("block collections") and reports follow-on errors. JSON's own parser names the first problem in
// JSON's terms, so a .json file reports that instead, where it gives a position.
function jsonSyntaxProblem(text: string): SyntaxProblem | undefined {
  try {
    JSON.parse(text);
    return undefined; // valid JSON that YAML rejects, such as a key written twice: YAML's errors say why
  } catch (e) {
    const found = /^(.*) in JSON at position (\d+)/s.exec((e as Error).message);
    if (!found || found[1]?.startsWith("Unterminated string")) return undefined;
    const start = Number(found[2]);
    return {
      message: `${lowerFirst(found[1] ?? "")}; fix the JSON here (check commas, colons, quotes and brackets)`,
      start,
      end: start + 1,
    };
  }
}

/** The unclosed quote that a string reaching `end` began with. */
function openingQuote(text: string, end: number, quote: string): number {
  let i = Math.min(end, text.length) - 1;
  while (i >= 0) {
    if (text[i] === quote) {
      // '' inside a single-quoted string and \" inside a double-quoted one are escapes, not the start.
      if (quote === "'" && text[i - 1] === "'") i -= 2;
      else if (quote === '"' && text[i - 1] === "\\") i -= 2;
      else return i;
    } else i--;
  }
  return Math.max(0, end - 1);
}
