import { failureAnswerOf, isActivityRefusal, isActivityThrottled } from '../../../src/hardening/activities/contracts';
import { ErrorCodes, LockdownError } from '../../../src/shared/errors';

describe('what an activity answers instead of throwing', () => {
  it('throttling: the message and ARM\'s Retry-After, an answer the orchestrator waits out', () => {
    const answer = failureAnswerOf(new LockdownError(ErrorCodes.ARM_THROTTLED, 'GET /x answered 429', { retryable: true, retryAfterMs: 17_000 }));
    expect(answer).toEqual({ throttled: '[ARM.THROTTLED] GET /x answered 429', retryAfterMs: 17_000 });
    expect(isActivityThrottled(answer)).toBe(true);
    expect(isActivityRefusal(answer)).toBe(false);
  });

  it('throttling without a Retry-After (or a code carried in a plain error\'s message) waits the floor: retryAfterMs 0', () => {
    expect(failureAnswerOf(new Error('[ARM.THROTTLED] kept throttling'))).toEqual({ throttled: '[ARM.THROTTLED] kept throttling', retryAfterMs: 0 });
  });

  it('a missing permission is refused: the run fails now, naming it', () => {
    const answer = failureAnswerOf(new LockdownError(ErrorCodes.ARM_FORBIDDEN, "missing permission 'Microsoft.Network/privateEndpoints/write'"));
    expect(answer).toEqual({ refused: "[ARM.FORBIDDEN] missing permission 'Microsoft.Network/privateEndpoints/write'" });
    expect(isActivityRefusal(answer)).toBe(true);
  });

  it.each([
    new LockdownError(ErrorCodes.ARM_CONFLICT, 'another operation is in progress'),
    new Error('socket hang up'),
    'not an error',
  ])('anything else is thrown, for the durable retry policy: %p', (e) => {
    expect(failureAnswerOf(e)).toBeUndefined();
  });
});
