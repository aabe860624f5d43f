/**
 * cli/format — how gantry prints things the way docker does: Go templates for `--format`
 * (`template/`), docker's template functions and table handling, the tabwriter, size and time
 * units, `--filter` parsing and image filter predicates, and the `image ls`, `image history` and
 * `image inspect` views. Everything here is pure (data in, text out); commands do the I/O.
 *
 * @example
 * ```ts
 * import { formatImageList } from './format/index.js';
 * process.stdout.write(formatImageList(images, { format: 'table {{.ID}}\\t{{.Repository}}', now: new Date() }));
 * ```
 */
export * from './formatter.js';
export * from './docker-template.js';
export * from './tabwriter.js';
export * from './units.js';
export * from './go-time.js';
export * from './json.js';
export * from './filters.js';
export * from './image-list.js';
export * from './image-tree.js';
export * from './history.js';
export * from './inspect.js';
export { Template, TemplateParseError, TemplateExecError, goStruct, goFunc, GoFloat, sprintf } from './template/index.js';
