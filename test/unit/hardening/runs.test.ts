import { followUpWaitMs, parseApplyLockInput, parseFollowUpInput, runIdOfLock } from '../../../src/hardening/domain/runs';
import { DEFAULT_HARDEN_OPTIONS } from '../../../src/hardening/domain/harden-input';
import { applyRunIdFor, instanceIdFor, planRunIdFor } from '../../../src/shared/instance-id';
import { errorCodeOf } from '../../../src/shared/errors';
import { REGISTRY_ID } from '../../helpers/hardening-fixtures';

const AT = new Date('2026-01-02T03:04:05.678Z');
const RUN = applyRunIdFor(REGISTRY_ID, AT, 'ab12');

describe('the apply lock and the follow-up (pure rules)', () => {
  it("the lock's input is an apply run's input and one of the registry's apply run ids", () => {
    expect(parseApplyLockInput({ registryId: REGISTRY_ID, mode: 'apply', trigger: 'http', options: DEFAULT_HARDEN_OPTIONS, runId: RUN })).toMatchObject({ runId: RUN, mode: 'apply' });
    for (const bad of [
      { mode: 'apply', runId: instanceIdFor(REGISTRY_ID) },
      { mode: 'apply', runId: planRunIdFor(REGISTRY_ID, AT, 'ab12') },
      { mode: 'apply', runId: applyRunIdFor(REGISTRY_ID.replace('reg1', 'reg2'), AT, 'ab12') },
      { mode: 'plan', runId: RUN },
      { mode: 'apply' },
    ]) {
      expect(errorCodeOf(((): unknown => { try { return parseApplyLockInput({ registryId: REGISTRY_ID, trigger: 'http', ...bad }); } catch (e) { return e; } })())).toBe('HARDEN.INPUT_INVALID');
    }
  });

  it("the follow-up's input names the run it waits behind; its wait doubles from 10 s to at most 2 minutes", () => {
    expect(parseFollowUpInput({ registryId: REGISTRY_ID, after: RUN, options: DEFAULT_HARDEN_OPTIONS, eventId: 'e1' })).toMatchObject({ after: RUN, polls: 0, eventId: 'e1' });
    expect(() => parseFollowUpInput({ registryId: REGISTRY_ID, after: 'someone-else', options: DEFAULT_HARDEN_OPTIONS })).toThrow(/after must be a run id/);
    expect([0, 1, 2, 3, 4, 50].map(followUpWaitMs)).toEqual([10_000, 20_000, 40_000, 80_000, 120_000, 120_000]);
  });

  it('the run a lock stands for: its input runId, or the lock itself for a run from before the lock', () => {
    expect(runIdOfLock({ instanceId: instanceIdFor(REGISTRY_ID), name: 'hardenRegistryLock', input: { runId: RUN } }, 'hardenRegistry')).toBe(RUN);
    expect(runIdOfLock({ instanceId: instanceIdFor(REGISTRY_ID), name: 'hardenRegistryLock', input: JSON.stringify({ runId: RUN }) }, 'hardenRegistry')).toBe(RUN);
    expect(runIdOfLock({ instanceId: instanceIdFor(REGISTRY_ID), name: 'hardenRegistry', input: {} }, 'hardenRegistry')).toBe(instanceIdFor(REGISTRY_ID));
    expect(runIdOfLock({ instanceId: 'x', name: 'hardenRegistryLock', input: null }, 'hardenRegistry')).toBeUndefined();
  });
});
