import type { World } from '../../local/world';
import { describeExpected, OPS, runCases, startFaultWorld, type Case, type CaseResult, type Expected, type FaultName, type Operation } from './fault-harness';
import { flushUnreported } from './summary';

/**
 * The fault matrix as one table: operation × fault kind → expected outcome. Every case also
 * has to keep the invariants `judge` checks (no duplicate endpoint, every endpoint with its
 * zone group, public access off, DNS proven when Hardened; a stable, actionable code when
 * Failed, then a fault-free re-run that converges) and the fault must have hit a request.
 *
 * The table runs in slices, one test file each (faults.1/2/3.test.ts): jest gives each file
 * its own worker and each slice its own world, so the slices run side by side as the four
 * per-area files did; one file would run the ten operations one after the other (about 2.5×
 * the wall time). Within a slice, operations run in table order, an operation's cases
 * concurrently (a shared operation's one after the other).
 */
type OpKey = keyof typeof OPS;
export type Slice = 1 | 2 | 3;

const EITHER: Expected = { ends: 'either' };
const failed = (code: string): Expected => ({ ends: 'Failed', code });
/** A write whose fault never goes away must end the run Failed with the code that names it. */
const ARM_CONFLICT = failed('ARM.CONFLICT');

export const FAULT_TABLE: ReadonlyArray<readonly [OpKey, FaultName, Expected]> = [
  // slice 1: connection GET while the run waits for approval, then the outcome publish (its
  // path is the one topic every run publishes to, so nothing else runs beside it)
  ['connectionGet', '429+Retry-After', EITHER],
  ['connectionGet', '500', EITHER],
  ['connectionGet', '503', EITHER],
  ['connectionGet', '409 AnotherOperationInProgress', EITHER],
  ['connectionGet', 'connection reset', EITHER],
  ['connectionGet', 'slow response past the client timeout', EITHER],
  ['outcomePublish', '429+Retry-After', EITHER],
  ['outcomePublish', '500', EITHER],
  ['outcomePublish', '503', EITHER],
  ['outcomePublish', '409 AnotherOperationInProgress', EITHER],
  ['outcomePublish', 'connection reset', EITHER],
  ['outcomePublish', 'slow response past the client timeout', EITHER],
  ['outcomePublish', '409 persistent', failed('OUTCOME.PUBLISH_FAILED')],
  // slice 2: the registry, its discovery, its storage account
  ['registryGet', '429+Retry-After', EITHER],
  ['registryGet', '500', EITHER],
  ['registryGet', '503', EITHER],
  ['registryGet', '409 AnotherOperationInProgress', EITHER],
  ['registryGet', 'connection reset', EITHER],
  ['registryGet', 'slow response past the client timeout', EITHER],
  ['registryPut', '429+Retry-After', EITHER],
  ['registryPut', '500', EITHER],
  ['registryPut', '503', EITHER],
  ['registryPut', '409 AnotherOperationInProgress', EITHER],
  ['registryPut', 'connection reset', EITHER],
  ['registryPut', 'slow response past the client timeout', EITHER],
  ['registryPut', 'LRO Failed', EITHER],
  ['registryPut', 'LRO never finishes (deadline)', EITHER],
  ['registryPut', '409 persistent', ARM_CONFLICT],
  ['discoveryGet', '429+Retry-After', EITHER],
  ['discoveryGet', '500', EITHER],
  ['discoveryGet', '503', EITHER],
  ['discoveryGet', '409 AnotherOperationInProgress', EITHER],
  ['discoveryGet', 'connection reset', EITHER],
  ['discoveryGet', 'slow response past the client timeout', EITHER],
  ['storagePatch', '429+Retry-After', EITHER],
  ['storagePatch', '500', EITHER],
  ['storagePatch', '503', EITHER],
  ['storagePatch', '409 AnotherOperationInProgress', EITHER],
  ['storagePatch', 'connection reset', EITHER],
  ['storagePatch', 'slow response past the client timeout', EITHER],
  ['storagePatch', '409 persistent', ARM_CONFLICT],
  // slice 3: the private endpoints, their zone groups, the ACR
  ['endpointPut', '429+Retry-After', EITHER],
  ['endpointPut', '500', EITHER],
  ['endpointPut', '503', EITHER],
  ['endpointPut', '409 AnotherOperationInProgress', EITHER],
  ['endpointPut', 'connection reset', EITHER],
  ['endpointPut', 'slow response past the client timeout', EITHER],
  ['endpointPut', 'LRO Failed', EITHER],
  ['endpointPut', 'LRO never finishes (deadline)', EITHER],
  ['endpointPut', '409 persistent', ARM_CONFLICT],
  ['endpointGet', '429+Retry-After', EITHER],
  ['endpointGet', '500', EITHER],
  ['endpointGet', '503', EITHER],
  ['endpointGet', '409 AnotherOperationInProgress', EITHER],
  ['endpointGet', 'connection reset', EITHER],
  ['endpointGet', 'slow response past the client timeout', EITHER],
  ['zoneGroupPut', '429+Retry-After', EITHER],
  ['zoneGroupPut', '500', EITHER],
  ['zoneGroupPut', '503', EITHER],
  ['zoneGroupPut', '409 AnotherOperationInProgress', EITHER],
  ['zoneGroupPut', 'connection reset', EITHER],
  ['zoneGroupPut', 'slow response past the client timeout', EITHER],
  ['zoneGroupPut', 'LRO Failed', EITHER],
  ['zoneGroupPut', 'LRO never finishes (deadline)', EITHER],
  ['zoneGroupPut', '409 persistent', ARM_CONFLICT],
  ['acrPatch', '429+Retry-After', EITHER],
  ['acrPatch', '500', EITHER],
  ['acrPatch', '503', EITHER],
  ['acrPatch', '409 AnotherOperationInProgress', EITHER],
  ['acrPatch', 'connection reset', EITHER],
  ['acrPatch', 'slow response past the client timeout', EITHER],
  ['acrPatch', 'LRO Failed', EITHER],
  ['acrPatch', 'LRO never finishes (deadline)', EITHER],
  ['acrPatch', '409 persistent', ARM_CONFLICT],
];

/** Per operation: its slice, the prefix of its registries' names (all 6 characters long) and how long its cases may take together. */
const PLAN: Record<OpKey, { slice: Slice; prefix: string; timeoutMs: number }> = {
  connectionGet: { slice: 1, prefix: 'rna', timeoutMs: 180_000 },
  outcomePublish: { slice: 1, prefix: 'roa', timeoutMs: 240_000 },
  registryGet: { slice: 2, prefix: 'rga', timeoutMs: 180_000 },
  registryPut: { slice: 2, prefix: 'rpa', timeoutMs: 180_000 },
  discoveryGet: { slice: 2, prefix: 'rda', timeoutMs: 180_000 },
  storagePatch: { slice: 2, prefix: 'rsa', timeoutMs: 180_000 },
  endpointPut: { slice: 3, prefix: 'rea', timeoutMs: 180_000 },
  endpointGet: { slice: 3, prefix: 'rfa', timeoutMs: 180_000 },
  zoneGroupPut: { slice: 3, prefix: 'rza', timeoutMs: 180_000 },
  acrPatch: { slice: 3, prefix: 'rca', timeoutMs: 180_000 },
};

/** The faults an operation admits: every one for all, the LRO ones for LROs, a persistent conflict for writes. */
function admitted(op: Operation): FaultName[] {
  const all: FaultName[] = ['429+Retry-After', '500', '503', '409 AnotherOperationInProgress', 'connection reset', 'slow response past the client timeout'];
  if (op.lro) all.push('LRO Failed', 'LRO never finishes (deadline)');
  if (op.write) all.push('409 persistent');
  return all;
}

/** The table's cases of one operation, in table order, each with its own registry name. */
function casesOf(op: OpKey): Case[] {
  return FAULT_TABLE.filter(([o]) => o === op).map(([, fault, expected], i) => ({ fault, expected, registry: `${PLAN[op].prefix}${String(i).padStart(2, '0')}x` }));
}

/** The table must hold each admitted fault of each operation exactly once (so no case is dropped or run twice). */
function tableProblems(): string[] {
  const problems: string[] = [];
  for (const op of Object.keys(OPS) as OpKey[]) {
    const listed = casesOf(op).map((c) => c.fault);
    const want = admitted(OPS[op]);
    for (const f of want) if (listed.filter((x) => x === f).length !== 1) problems.push(`${op} × ${f} listed ${listed.filter((x) => x === f).length} times`);
    for (const f of listed) if (!want.includes(f)) problems.push(`${op} × ${f} is not a fault ${op} admits`);
  }
  return problems;
}

/** Declares one slice of the table: a world for the file, a describe per operation, an `it` per case. */
export function describeFaultSlice(slice: Slice): void {
  const ops = [...new Set(FAULT_TABLE.map(([op]) => op))].filter((op) => PLAN[op].slice === slice);
  let world: World;
  beforeAll(async () => {
    world = await startFaultWorld(`faults-${slice}`);
  }, 90_000);
  afterAll(async () => {
    await world?.stop();
    flushUnreported();
  });

  it('the table lists every fault each operation admits, once', () => {
    expect(tableProblems()).toEqual([]);
  });

  for (const key of ops) {
    const op = OPS[key];
    const cases = casesOf(key);
    describe(`fault matrix: ${op.name}`, () => {
      let results: CaseResult[] = [];
      beforeAll(async () => {
        results = await runCases(world, op, cases);
      }, PLAN[key].timeoutMs);
      cases.forEach((c, i) => {
        it(`${op.name} × ${c.fault}: ${describeExpected(c.expected)}`, () => {
          const r = results[i];
          expect(r?.tried).toBe(`${op.name} × ${c.fault}`);
          expect({ ended: r?.ended, problems: r?.problems }).toEqual({ ended: r?.ended, problems: [] });
        });
      });
    });
  }
}
