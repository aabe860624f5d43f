/**
 * Running an ONBUILD trigger: a build whose base image carries `OnBuild` triggers parses each one
 * as a one-instruction Dockerfile, located at the FROM that pulled it in (BuildKit's
 * initOnBuildTriggers).
 */
import { DockerfileSyntaxError } from '../errors.js';
import { parse } from '../parser.js';
import { parseInstruction, type Command } from './parse.js';
import type { SourceLocation } from './types.js';

/**
 * The typed instruction of one ONBUILD trigger from a base image's config.
 *
 * @param location the FROM instruction's location: errors and the instruction point there.
 * @throws {DockerfileSyntaxError} when the trigger does not parse, is not exactly one instruction,
 *   or is a FROM.
 */
export function parseOnbuildTrigger(trigger: string, location: SourceLocation, options: { filename?: string } = {}): Command {
  const lines = location.startLine > 0 ? [{ start: location.startLine, end: Math.max(location.startLine, location.endLine) }] : [];
  const file = options.filename === undefined ? {} : { filename: options.filename };
  let children;
  try {
    children = parse(trigger, file).ast.children;
  } catch (err) {
    if (err instanceof DockerfileSyntaxError) throw new DockerfileSyntaxError(err.reason, lines, { ...file, cause: err });
    throw err;
  }
  if (children.length !== 1) throw new DockerfileSyntaxError('onbuild trigger should be a single expression', lines, file);
  const node = children[0]!;
  node.startLine = location.startLine;
  node.endLine = location.endLine;
  const c = parseInstruction(node, file);
  if (c.kind === 'from') throw new DockerfileSyntaxError('*instructions.Stage is not a command type', lines, file);
  return c;
}
