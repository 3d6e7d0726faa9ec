import { KupgradeError } from '../domain/errors.js';
import type { UpgradeError } from '../domain/upgrade.js';

/**
 * A Task error reaches the state machine's Catch as a name and a text only
 * (Lambda keeps `errorType` and `errorMessage`; the local engine keeps the
 * name and message), so the remedy and the node a KupgradeError carries would
 * be lost on the way to OnError. The message therefore travels as JSON; the
 * name is kept, so Retry and Catch still match `Kupgrade.<reason>`.
 */
export function toTaskError(err: unknown): unknown {
  if (!(err instanceof KupgradeError)) return err;
  const out = new Error(JSON.stringify({ message: err.message, remedy: err.remedy, ...(err.node ? { node: err.node } : {}) }), { cause: err });
  out.name = err.name;
  out.stack = err.stack;
  return out;
}

interface Detail {
  message?: unknown;
  errorMessage?: unknown;
  remedy?: unknown;
  node?: unknown;
}

const parse = (text: string): Detail | undefined => {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Detail) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The error as the Catch hands it over: `Cause` is the Lambda's JSON
 * (`errorMessage` holding toTaskError's JSON), toTaskError's JSON itself (the
 * local engine), or plain text (any other failure).
 */
export function describeError(error: { Error?: string; Cause?: string }): UpgradeError {
  const name = error.Error ?? 'Error';
  const cause = error.Cause ?? name;
  const outer = parse(cause);
  const text = typeof outer?.errorMessage === 'string' ? outer.errorMessage : cause;
  const detail = typeof outer?.errorMessage === 'string' ? parse(outer.errorMessage) : outer;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const message = str(detail?.message) ?? text;
  const remedy = str(detail?.remedy);
  const node = str(detail?.node);
  return { reason: name.replace(/^Kupgrade\./, ''), message, ...(remedy ? { remedy } : {}), ...(node ? { node } : {}) };
}
