/**
 * Build checks (BuildKit's linter): rule table, `# check=` configuration and `lint`.
 */
export * from './rules.js';
export { parseCheckDirective, mergeCheckConfig, configFromComments, ruleEnabled, CheckDirectiveError, DEFAULT_CHECK_CONFIG } from './config.js';
export type { CheckConfig } from './config.js';
export { lint, lintDockerfile, checkViolation, formatCheckWarning, looksLikeSecretName, CheckViolationError } from './lint.js';
export { suggestName } from '../_go.js';
export type { CheckWarning, LintOptions, LintResult, BaseImageInfo } from './lint.js';
export { isValidImageReference } from './_reference.js';
