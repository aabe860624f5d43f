/**
 * The errors of RUN steps, apart from their code (run-step.ts) so that build's public surface can
 * export them without loading the snapshot and layer parts a build needs only when a step runs.
 */
import { GantryError, InvalidArgumentError } from '../errors.js';

export class RunStepError extends GantryError {
  constructor(readonly command: string[], readonly exitCode: number, readonly lastLines: string[]) {
    super('failed-precondition', 'RUN_FAILED', `process ${JSON.stringify(command.join(' '))} did not complete successfully: exit code: ${exitCode}`);
  }
}

export class SecretMissingError extends InvalidArgumentError {
  constructor(id: string) {
    super('SECRET_MISSING', `secret ${id} not found`, { hint: `Pass it with --secret id=${id},src=FILE or --secret id=${id},env=VAR` });
  }
}
