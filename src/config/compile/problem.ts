import type { ErrorCode } from '../../errors/catalogue.ts';

/**
 * Why a record does not compile: the field path inside its document
 * (`routes[2].backend.backend_id`), a catalogue code and a message a user can act on.
 */
export class ConfigProblem extends Error {
  constructor(
    readonly field: string,
    readonly code: ErrorCode,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'ConfigProblem';
  }
}
