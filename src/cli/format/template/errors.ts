/**
 * Template errors. Their messages are Go's own (`template: :1: function "x" not defined`,
 * `template: :1:2: executing "" at <nil>: nil is not a command`) because docker prints them
 * verbatim after `template parsing error: `.
 */
import { InvalidArgumentError } from '../../../errors.js';

/** The template text does not parse. */
export class TemplateParseError extends InvalidArgumentError {
  constructor(message: string) {
    super('TEMPLATE_PARSE', message);
  }
}

/** Executing the template failed; `output` holds what had been written before the failure. */
export class TemplateExecError extends InvalidArgumentError {
  output = '';
  constructor(message: string) {
    super('TEMPLATE_EXEC', message);
  }
}
