// Colour for the terminal: ANSI SGR codes around a piece of text, or the text as it is when colour is
// off (piped output, NO_COLOR; see wantsColor in io.ts). Only the CLI paints; the core formats plain.

export type Style = "red" | "green" | "yellow" | "cyan" | "bold" | "dim";
export type Paint = (style: Style, text: string) => string;

const SGR: Record<Style, readonly [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  bold: [1, 22],
  dim: [2, 22],
};

export function painter(on: boolean): Paint {
  if (!on) return (_style, text) => text;
  return (style, text) => (text === "" ? text : `\x1b[${SGR[style][0]}m${text}\x1b[${SGR[style][1]}m`);
}

/** Verdict lines of verify's and trace's reports: what holds in green, what fails in red. */
export function paintVerdicts(text: string, paint: Paint): string {
  return text.replace(/^.*$/gm, (line) =>
    /^(verified|ok): /.test(line)
      ? paint("green", line)
      : /^(MISMATCH |refused: |partly refused: |\d+ of \d+ checks do not hold)|^\s+FAILED \(/.test(line)
        ? paint("red", line)
        : /^UNENFORCED /.test(line)
          ? paint("yellow", line)
          : line,
  );
}
