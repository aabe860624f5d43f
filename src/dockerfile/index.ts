export { parse } from './parser.js';
export type { ParseResult, ParseOptions } from './parser.js';
export { dump } from './dump.js';
