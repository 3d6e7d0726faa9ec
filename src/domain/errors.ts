/**
 * Every failure kupgrade reports carries a CamelCase reason (also the error's
 * name, prefixed `Kupgrade.` so the state machine's Catch can match it) and a
 * remedy an operator can act on.
 */
export interface KupgradeErrorOptions {
  message: string;
  remedy: string;
  node?: string;
  cause?: unknown;
}

export class KupgradeError extends Error {
  readonly reason: string;
  readonly remedy: string;
  readonly node?: string;

  constructor(reason: string, options: KupgradeErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = `Kupgrade.${reason}`;
    this.reason = reason;
    this.remedy = options.remedy;
    this.node = options.node;
  }
}

/** The caller asked for something the product rules forbid (an HTTP 400). */
export class InvalidRequestError extends KupgradeError {
  constructor(message: string, remedy: string) {
    super('InvalidRequest', { message, remedy });
  }
}

/** The request conflicts with the current state (an HTTP 409). */
export class ConflictError extends KupgradeError {
  constructor(message: string, remedy: string) {
    super('Conflict', { message, remedy });
  }
}

export class NotFoundError extends KupgradeError {
  constructor(message: string, remedy = 'check the id and list the existing objects') {
    super('NotFound', { message, remedy });
  }
}

/** An upgrade or status transition that the state table does not allow. */
export class IllegalTransitionError extends KupgradeError {
  constructor(from: string, to: string) {
    super('IllegalTransition', {
      message: `an upgrade cannot go from ${from} to ${to}`,
      remedy: 'read the upgrade again and act on its current status',
    });
  }
}
