/**
 * No activity may outlive the Functions host's `functionTimeout` (host.json; the host kills the
 * invocation and the durable retry starts it again, so a wait that cannot finish in time repeats
 * forever). The app cannot read host.json in Azure, so it knows the timeout from
 * FUNCTION_TIMEOUT_SECONDS (a unit test checks the two are equal) and refuses settings whose
 * longest wait does not fit.
 *
 * The longest single wait of an activity is one write step: the GET before it (one request with
 * all its retries) and the write's long-running operation, bounded as a whole by
 * ARM_LRO_DEADLINE_SECONDS (its abort signal also ends the requests and pauses inside it). An
 * activity that makes many calls one after the other is bounded at run time instead: its calls
 * stop together at FUNCTION_TIMEOUT_SECONDS less the margin (src/azure/invocation-budget.ts).
 */

/** Left for the activity's own work, token requests and the host's start of the invocation. */
export const FUNCTION_TIMEOUT_MARGIN_SECONDS = 60;
/** The pipeline's backoff for 5xx and connection errors: 0.8 s × 2^n, at most 30 s (src/azure/arm-pipeline.ts). */
const BACKOFF_BASE_SECONDS = 0.8;
const BACKOFF_CAP_SECONDS = 30;

export interface TimeoutSettings {
  FUNCTION_TIMEOUT_SECONDS: number;
  ARM_LRO_DEADLINE_SECONDS: number;
  ARM_REQUEST_TIMEOUT_SECONDS: number;
  ARM_MAX_RETRIES: number;
  ARM_MAX_RETRY_AFTER_SECONDS: number;
}

/**
 * The longest one ARM request can take with its in-process retries: every attempt unanswered
 * until ARM_REQUEST_TIMEOUT_SECONDS, and before each retry the longer of the longest Retry-After
 * the pipeline honours and its own backoff.
 */
export function longestRequestSeconds(s: Pick<TimeoutSettings, 'ARM_REQUEST_TIMEOUT_SECONDS' | 'ARM_MAX_RETRIES' | 'ARM_MAX_RETRY_AFTER_SECONDS'>): number {
  let pauses = 0;
  for (let n = 0; n < s.ARM_MAX_RETRIES; n++) pauses += Math.max(s.ARM_MAX_RETRY_AFTER_SECONDS, Math.min(BACKOFF_BASE_SECONDS * 2 ** n, BACKOFF_CAP_SECONDS));
  return (s.ARM_MAX_RETRIES + 1) * s.ARM_REQUEST_TIMEOUT_SECONDS + pauses;
}

/** The longest write step of an activity: its GET, then the write's long-running operation. */
export function longestActivitySeconds(s: TimeoutSettings): number {
  return longestRequestSeconds(s) + s.ARM_LRO_DEADLINE_SECONDS;
}

/** What is wrong with these settings (empty when an activity always ends within the function timeout). */
export function functionTimeoutProblems(s: TimeoutSettings): string[] {
  const budget = s.FUNCTION_TIMEOUT_SECONDS - FUNCTION_TIMEOUT_MARGIN_SECONDS;
  const request = longestRequestSeconds(s);
  const activity = longestActivitySeconds(s);
  if (activity <= budget) return [];
  return [
    `an activity could wait ${Math.ceil(activity)} s, longer than FUNCTION_TIMEOUT_SECONDS=${s.FUNCTION_TIMEOUT_SECONDS} less ${FUNCTION_TIMEOUT_MARGIN_SECONDS} s ` +
      `(one request with its retries: (ARM_MAX_RETRIES=${s.ARM_MAX_RETRIES} + 1) × ARM_REQUEST_TIMEOUT_SECONDS=${s.ARM_REQUEST_TIMEOUT_SECONDS} ` +
      `+ ${s.ARM_MAX_RETRIES} pauses of up to ARM_MAX_RETRY_AFTER_SECONDS=${s.ARM_MAX_RETRY_AFTER_SECONDS} = ${Math.ceil(request)} s, ` +
      `then ARM_LRO_DEADLINE_SECONDS=${s.ARM_LRO_DEADLINE_SECONDS}); the host would end it and the retry would start the same wait again. ` +
      'Lower those settings, or raise host.json functionTimeout and FUNCTION_TIMEOUT_SECONDS together.',
  ];
}
