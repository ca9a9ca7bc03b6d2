// A unified diff of two texts, line by line, for `cw diff` (and the edit script under it, which
// topology-merge.ts uses to keep untouched lines of the user's file byte for byte). Objects are small (tens of lines), so the
// plain longest-common-subsequence table is fast enough and gives the minimal diff people expect.

export interface LineDiffOptions {
  /** Unchanged lines shown around each change (default 3). */
  readonly context?: number;
}

export type LineOp = { readonly kind: " " | "-" | "+"; readonly line: string };

export function unifiedDiff(
  before: string,
  after: string,
  labels: { readonly before: string; readonly after: string },
  options: LineDiffOptions = {},
): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffOps(a, b);
  if (ops.every((o) => o.kind === " ")) return "";
  const context = options.context ?? 3;
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  // Group changes with their context into hunks.
  let i = 0;
  while (i < ops.length) {
    const firstChange = ops.findIndex((o, k) => k >= i && o.kind !== " ");
    if (firstChange < 0) break;
    const start = Math.max(i, firstChange - context);
    let end = firstChange;
    let lastChange = firstChange;
    while (end < ops.length) {
      if (ops[end]?.kind !== " ") lastChange = end;
      else if (end - lastChange > 2 * context) break;
      end++;
    }
    const stop = Math.min(ops.length, lastChange + context + 1);
    const hunk = ops.slice(start, stop);
    const aStart = ops.slice(0, start).filter((o) => o.kind !== "+").length;
    const bStart = ops.slice(0, start).filter((o) => o.kind !== "-").length;
    const aLen = hunk.filter((o) => o.kind !== "+").length;
    const bLen = hunk.filter((o) => o.kind !== "-").length;
    out.push(
      `@@ -${aLen === 0 ? aStart : aStart + 1},${aLen} +${bLen === 0 ? bStart : bStart + 1},${bLen} @@`,
    );
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    i = stop;
  }
  return `${out.join("\n")}\n`;
}

export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The edit script turning lines `a` into lines `b`: kept, removed and added lines in order. */
export function diffOps(a: readonly string[], b: readonly string[]): LineOp[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const next = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] =
        a[i] === b[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number);
    }
  }
  const ops: LineOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i] as string });
      i++;
      j++;
    } else if ((lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0)) {
      ops.push({ kind: "-", line: a[i] as string });
      i++;
    } else {
      ops.push({ kind: "+", line: b[j] as string });
      j++;
    }
  }
  while (i < n) ops.push({ kind: "-", line: a[i++] as string });
  while (j < m) ops.push({ kind: "+", line: b[j++] as string });
  return ops;
}
