/**
 * One error class for the whole app, carrying a stable code. Durable Functions keeps only an
 * activity error's message on its way to the orchestrator, so the code is written into the
 * message as a `[CODE]` prefix and read back by `errorCodeOf`.
 */
import { ErrorCodes, type ErrorCode } from './error-codes';

export { ErrorCodes, httpStatusOf, type ErrorCode } from './error-codes';

/** `[AREA.NAME] `: a stable code in brackets, the way a LockdownError's message starts. */
const CODE = String.raw`\[([A-Z][A-Z0-9_]*(?:\.[A-Z][A-Z0-9_]*)+)\]\s`;
const CODE_PREFIX = new RegExp(`^${CODE}`);
const CODE_ANYWHERE = new RegExp(CODE);
/** A code after blanks or `Error: ` (a failed orchestration's output), and what follows it. */
const LEADING_CODE = new RegExp(String.raw`^\s*(?:Error:\s*)?${CODE}\s*([\s\S]*)$`);

export class LockdownError extends Error {
  override readonly name = 'LockdownError';

  constructor(
    readonly code: ErrorCode,
    detail: string,
    options: { cause?: unknown; retryable?: boolean; retryAfterMs?: number; propagating?: boolean } = {},
  ) {
    super(`[${code}] ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.propagating = options.propagating ?? false;
  }

  /**
   * A refusal that access granted a moment ago may still lift (a role assignment, a deny
   * assignment's exemption: both propagate): the run waits it out briefly before it fails.
   */
  readonly propagating: boolean;

  /** Whether trying the same call again later may succeed (throttling, 5xx, transport). */
  readonly retryable: boolean;

  /** How long ARM asked to wait (its Retry-After) when it throttled the call, if it said. */
  readonly retryAfterMs: number | undefined;

  /** The message without the code prefix. */
  get detail(): string {
    return withoutCode(this.message);
  }
}

/** The stable code of an error (or of an error message that crossed the activity boundary). */
export function errorCodeOf(error: unknown): string | undefined {
  if (error instanceof LockdownError) return error.code;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : undefined;
  if (message === undefined) return undefined;
  return CODE_PREFIX.exec(message)?.[1];
}

/**
 * Like `errorCodeOf`, but also finds the code when something was put in front of the message on
 * its way through Durable Functions (e.g. `Error: [ARM.FORBIDDEN] …` from failure details).
 */
export function findErrorCode(error: unknown): string | undefined {
  const direct = errorCodeOf(error);
  if (direct !== undefined) return direct;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : undefined;
  return message === undefined ? undefined : CODE_ANYWHERE.exec(message)?.[1];
}

/**
 * An activity failure reaches the orchestrator as "<message> \n <stack>" (Reason and Details).
 * Keeps the message, drops the stack trace, so outcomes and statuses say what happened, not where.
 */
export function withoutStack(message: string): string {
  return message.split(/\s*\n\s*(?:[A-Za-z]*Error(?: \[[^\]]*\])?:|at\s)/)[0]?.trim() ?? message;
}

/** The longest error message an outcome or a step detail carries. */
export const MAX_ERROR_MESSAGE = 4000;

/** The message of anything thrown: an Error's message, a string as is, anything else as JSON. */
export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
}

/**
 * The message of anything thrown without the `[CODE] ` it starts with: what a person is shown
 * where the code is said another way (a usage line, an HTTP body's own code field) or where the
 * message goes into a new one. Brackets that are not a code stay. An error of another realm (a
 * node:util one as jest's sandbox sees it) is read by its message too.
 */
export function withoutCode(error: unknown): string {
  const message = typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : errorMessageOf(error);
  return message.replace(CODE_PREFIX, '');
}

/**
 * The code a message read back from the durable store starts with (blanks or `Error: ` in front
 * are looked past) and the rest of it; undefined when it starts with no code.
 */
export function codeOf(message: string): { code: string; detail: string } | undefined {
  const m = LEADING_CODE.exec(message);
  return m === null ? undefined : { code: m[1] as string, detail: m[2] ?? '' };
}

/** A failure as outcomes and displays carry it: the stable code, and the message without it. */
export interface CodedFailure {
  code: string;
  message: string;
}

/**
 * The error's text from its stable code on, without a stack: `[CODE] detail`. Text in front of
 * the code (added on the way through Durable Functions) is dropped; an error without a code gets
 * HARDEN.UNEXPECTED put in front.
 */
export function codedText(error: unknown): { code: string; text: string } {
  const code = findErrorCode(error) ?? ErrorCodes.HARDEN_UNEXPECTED;
  const raw = withoutStack(errorMessageOf(error));
  const at = raw.indexOf(`[${code}]`);
  return { code, text: at >= 0 ? raw.slice(at) : `[${code}] ${raw}` };
}

/** The stable code and the message without it (and without a stack), cut to `maxLength`. */
export function codedFailure(error: unknown, maxLength = MAX_ERROR_MESSAGE): CodedFailure {
  const { code, text } = codedText(error);
  return { code, message: text.slice(code.length + 3).slice(0, maxLength) };
}

/** A value quoted in an error message, cut to `max` characters (a hostile 100 kB name must not flood the logs). */
export function excerpt(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}
