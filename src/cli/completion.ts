// `cw completion bash|zsh|fish`: a completion script for the shell, written from the command
// definitions themselves (program.ts), so that it offers exactly the commands and flags cw has. What a
// flag's value completes to follows its placeholder: <file> files, <dir> folders, a fixed set of
// choices those choices, anything else nothing (a name, a number).

import type { Command, Option } from "commander";
import { collect } from "./options.js";

type Shell = "bash" | "zsh" | "fish";
type Value = { kind: "none" } | { kind: "file" } | { kind: "dir" } | { kind: "free" } | Choices;
type Choices = { kind: "choice"; readonly choices: readonly string[] };

interface Flag {
  readonly short?: string;
  readonly long: string;
  readonly description: string;
  readonly value: Value;
  readonly repeatable?: boolean;
}

interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly flags: readonly Flag[];
  /** What the command's first argument completes to. */
  readonly argument: Value;
}

export function completionScript(shell: Shell, program: Command): string {
  const commands = program.commands.map(commandSpec);
  switch (shell) {
    case "bash":
      return bashScript(commands);
    case "zsh":
      return zshScript(commands);
    case "fish":
      return fishScript(commands);
  }
}

function commandSpec(command: Command): CommandSpec {
  const argument = command.registeredArguments[0];
  const choices = argument?.argChoices;
  return {
    name: command.name(),
    description: command.description(),
    flags: [
      ...command.options.map(flag),
      { long: "--help", description: "show help", value: { kind: "none" } },
    ],
    argument: choices
      ? { kind: "choice", choices }
      : /topology|file/.test(argument?.name() ?? "")
        ? { kind: "file" }
        : { kind: argument ? "free" : "none" },
  };
}

function flag(option: Option): Flag {
  const placeholder = /<(\w+)>/.exec(option.flags)?.[1];
  const value: Value = option.argChoices
    ? { kind: "choice", choices: option.argChoices }
    : placeholder === undefined
      ? { kind: "none" }
      : placeholder === "file"
        ? { kind: "file" }
        : placeholder === "dir"
          ? { kind: "dir" }
          : { kind: "free" };
  return {
    ...(option.short !== undefined && { short: option.short }),
    long: option.long ?? option.flags,
    description: option.description,
    value,
    repeatable: option.parseArg === collect,
  };
}

const words = (flags: readonly Flag[]) => flags.flatMap((f) => (f.short ? [f.short, f.long] : [f.long]));

function bashValue(value: Value): string {
  switch (value.kind) {
    case "file":
      return 'COMPREPLY=($(compgen -f -- "$cur"))';
    case "dir":
      return 'COMPREPLY=($(compgen -d -- "$cur"))';
    case "choice":
      return `COMPREPLY=($(compgen -W "${value.choices.join(" ")}" -- "$cur"))`;
    default:
      return "COMPREPLY=()";
  }
}

function bashScript(commands: readonly CommandSpec[]): string {
  const cases = commands.map((c) => {
    const valued = c.flags.filter((f) => f.value.kind !== "none");
    const valueCases = valued
      .map((f) => `        ${f.short ? `${f.short}|` : ""}${f.long}) ${bashValue(f.value)}; return ;;`)
      .join("\n");
    return [
      `    ${c.name})`,
      ...(valueCases ? ['      case "$prev" in', valueCases, "      esac"] : []),
      `      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${words(c.flags).join(" ")}" -- "$cur"))`,
      `      else ${bashValue(c.argument)}; fi ;;`,
    ].join("\n");
  });
  return `# cw completion for bash. Load it now with: source <(cw completion bash)
# or for every shell: cw completion bash > ~/.local/share/bash-completion/completions/cw
_cw() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" command="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) command="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$command" in
    "") COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(" ")} help --help --version" -- "$cur")) ;;
${cases.join("\n")}
    help) COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(" ")}" -- "$cur")) ;;
  esac
}
complete -o filenames -F _cw cw
`;
}

/** Text inside a zsh _arguments spec: brackets, colons and quotes would end a field. */
const zshText = (text: string) => text.replace(/[[\]:\\]/g, "\\$&").replace(/'/g, "'\\''");

function zshValue(value: Value, label: string): string {
  switch (value.kind) {
    case "file":
      return `:${label}:_files`;
    case "dir":
      return `:${label}:_files -/`;
    case "choice":
      return `:${label}:(${value.choices.join(" ")})`;
    case "free":
      return `:${label}: `;
    case "none":
      return "";
  }
}

function zshScript(commands: readonly CommandSpec[]): string {
  const cases = commands.map((c) => {
    const specs = c.flags.map((f) => {
      const body = `[${zshText(f.description)}]${zshValue(f.value, f.long.slice(2))}`;
      // A repeatable flag may come again ("*"); any other excludes itself (and its short form) once given.
      if (f.short) {
        return `${f.repeatable ? "'*'" : `'(${f.short} ${f.long})'`}{${f.short},${f.long}}'${body}'`;
      }
      return `'${f.repeatable ? "*" : ""}${f.long}${body}'`;
    });
    const argument = c.argument.kind === "none" ? [] : [`'1${zshValue(c.argument, "argument")}'`];
    return `    ${c.name})\n      _arguments -s \\\n        ${[...specs, ...argument].join(" \\\n        ")} ;;`;
  });
  const described = commands.map((c) => `'${c.name}:${zshText(c.description)}'`).join("\n    ");
  return `#compdef cw
# cw completion for zsh. Load it now with: source <(cw completion zsh)
# or for every shell: cw completion zsh > "\${fpath[1]}/_cw"
_cw() {
  local -a commands
  commands=(
    ${described}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'cw command' commands
    return
  fi
  words=("\${(@)words[2,-1]}")
  (( CURRENT-- ))
  case "\${words[1]}" in
${cases.join("\n")}
    help) _describe -t commands 'cw command' commands ;;
  esac
}
compdef _cw cw
`;
}

/** Text inside single quotes in fish. */
const fishText = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

function fishValue(value: Value): string {
  switch (value.kind) {
    case "file":
      return " -r -F";
    case "dir":
      return " -r -a '(__fish_complete_directories)'";
    case "choice":
      return ` -x -a ${fishText(value.choices.join(" "))}`;
    case "free":
      return " -x";
    case "none":
      return "";
  }
}

function fishScript(commands: readonly CommandSpec[]): string {
  const lines = [
    "# cw completion for fish. Load it now with: cw completion fish | source",
    "# or for every shell: cw completion fish > ~/.config/fish/completions/cw.fish",
    "complete -c cw -f",
    `complete -c cw -n __fish_use_subcommand -l version -s V -d 'print the version'`,
    `complete -c cw -n __fish_use_subcommand -a help -d 'help for a command'`,
  ];
  for (const c of commands) {
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    lines.push(`complete -c cw -n __fish_use_subcommand -a ${c.name} -d ${fishText(c.description)}`);
    for (const f of c.flags) {
      const short = f.short ? ` -s ${f.short.slice(1)}` : "";
      lines.push(
        `complete -c cw ${when}${short} -l ${f.long.slice(2)}${fishValue(f.value)} -d ${fishText(f.description)}`,
      );
    }
    if (c.argument.kind === "file") lines.push(`complete -c cw ${when} -F`);
    if (c.argument.kind === "choice")
      lines.push(`complete -c cw ${when} -a ${fishText(c.argument.choices.join(" "))}`);
  }
  return `${lines.join("\n")}\n`;
}
