// Text from outside cw (a server's answer, a file's content, an error of the system) made safe to print
// on a terminal: control characters (escape sequences, carriage returns, newlines) and the bidirectional
// overrides that reorder what the eye sees are shown as escapes, and the text is cut at `max`
// characters, so that no answer can rewrite the screen or bury the report under megabytes.

// C0 and C1 controls, DEL, and the Unicode bidi embedding, override and isolate characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string, max = 300): string {
  const cut = text.length > max ? `${text.slice(0, max)}... (${text.length - max} more characters)` : text;
  return cut.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Every line of `text` made printable (its line breaks kept), for reports that quote a server. */
export const printableLines = (text: string, max = 10_000): string =>
  text
    .split("\n")
    .map((line) => printable(line, max))
    .join("\n");
