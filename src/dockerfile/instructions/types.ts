/**
 * The typed instructions: what each Dockerfile instruction means, with its flags parsed and its words
 * kept raw (unexpanded). The build engine expands them with `expandInstruction` once the variables in
 * scope are known.
 */
import { trimSpace } from '../_go.js';
import type { Heredoc } from '../node.js';
import type { BuilderFlags } from './bflags.js';

/** 1-based, inclusive source lines of an instruction (heredoc bodies included). */
export interface SourceLocation {
  startLine: number;
  endLine: number;
}

/** What every instruction carries besides its meaning. */
export interface InstructionBase {
  /** The keyword as written (`RUN`, `run`). */
  keyword: string;
  /** The instruction's source text, continuations joined (BuildKit's `String()`), for history and errors. */
  code: string;
  location: SourceLocation;
  /** The comment lines directly above. */
  comments: string[];
}

/** `key=value`, or `key value` in the legacy form (`noDelim`). */
export interface KeyValuePair {
  key: string;
  value: string;
  noDelim: boolean;
}

/** An ARG: a name with an optional default. */
export interface ArgDefinition {
  key: string;
  /** Undefined when declared without a default (`ARG name`). */
  value: string | undefined;
  /** The comment above that documents it (`# name does …` → `does …`). */
  docComment: string;
}

/** A heredoc written to a file for a shell-form command (`RUN <<EOF`). */
export interface InlineFile {
  name: string;
  /** The body as written (tabs kept even with `<<-`; `chomp` says to strip them). */
  data: string;
  chomp: boolean;
}

/** A command in shell form (run by the stage's SHELL) or exec form (a JSON array). */
export interface CommandLine {
  /** Shell form: one element, the command text. Exec form: the argv. */
  cmdLine: string[];
  /** Heredoc bodies the command line refers to. */
  files: InlineFile[];
  /** True for shell form: the stage's shell is prepended when run. */
  prependShell: boolean;
}

/** The parsed request an instruction parser works from (BuildKit's parseRequest). */
export interface ParseRequest {
  command: string;
  args: string[];
  heredocs: Heredoc[];
  json: boolean;
  flags: BuilderFlags;
  original: string;
  location: SourceLocation;
  comments: string[];
}

/** Thrown by instruction parsers; `parseInstruction` adds the location. */
export class InstructionError extends Error {}

export function base(req: ParseRequest): InstructionBase {
  return { keyword: req.command, code: trimSpace(req.original), location: req.location, comments: req.comments };
}

export function errAtLeastOneArgument(command: string): InstructionError {
  return new InstructionError(`${command} requires at least one argument`);
}

export function errExactlyOneArgument(command: string): InstructionError {
  return new InstructionError(`${command} requires exactly one argument`);
}

export function errNoDestinationArgument(command: string): InstructionError {
  return new InstructionError(
    `${command} requires at least two arguments, but only one was provided. Destination could not be determined`,
  );
}

export function errBlankCommandNames(command: string): InstructionError {
  return new InstructionError(`${command} names can not be blank`);
}

export function errTooManyArguments(command: string): InstructionError {
  return new InstructionError(`Bad input to ${command}, too many arguments`);
}

/** Shell form joins the words with single spaces; exec form keeps them (BuildKit's handleJSONArgs). */
export function handleJSONArgs(args: readonly string[], json: boolean): string[] {
  if (args.length === 0) return [];
  if (json) return [...args];
  return [args.join(' ')];
}

/** The doc comment for `name` among the comments above (`# name does …`). */
export function docComment(comments: readonly string[], name: string): string {
  if (name === '') return '';
  for (const line of comments) if (line.startsWith(name + ' ')) return line.slice(name.length + 1);
  return '';
}

/** Expanders the build engine passes to `expandInstruction`. */
export interface Expanders {
  /** Expands one word to one word (BuildKit's ProcessWord with the stage's variables). */
  word: (word: string) => string;
  /** Expands one word to several, splitting unquoted results (ProcessWords); used for EXPOSE. */
  words?: (word: string) => string[];
  /** Expands heredoc bodies: variables only, quotes untouched (ProcessWord with SkipProcessQuotes). */
  raw?: (text: string) => string;
}
