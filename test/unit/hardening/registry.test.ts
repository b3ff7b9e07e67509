import { isManagedResourceGroupOf, isValidRegistryName, parseManagedResourceGroupName, parseRegistryId, registryId } from '../../../src/hardening/domain/registry';
import { errorCodeOf, LockdownError, withoutStack } from '../../../src/shared/errors';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';

describe('registry ids', () => {
  it('parses a registry id in any casing', () => {
    const ref = parseRegistryId(`/subscriptions/${SUB}/resourcegroups/rg-ml/providers/microsoft.machinelearningservices/REGISTRIES/my-reg_1`);
    expect(ref).toMatchObject({ subscriptionId: SUB, resourceGroup: 'rg-ml', name: 'my-reg_1' });
  });

  it('rejects another provider and a bad registry name', () => {
    expect(errorCodeOf(catchError(() => parseRegistryId(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w1`)))).toBe('ARM_ID.INVALID');
    expect(errorCodeOf(catchError(() => parseRegistryId(registryId(SUB, 'rg', '-bad'))))).toBe('REGISTRY.NAME_INVALID');
  });

  it('quotes a huge bad name cut short, with its length', () => {
    const message = (catchError(() => parseRegistryId(registryId(SUB, 'rg', 'x'.repeat(100_000)))) as Error).message;
    expect(message.length).toBeLessThan(300);
    expect(message).toContain(`'${'x'.repeat(80)}… (100000 characters)'`);
  });

  it.each([
    ['abc', true], ['a-b_c9', true], ['ab', false], ['-abc', false], ['a'.repeat(33), true], ['a'.repeat(34), false], ['ab.c', false],
  ])('name rule: %p → %p', (name, ok) => {
    expect(isValidRegistryName(name)).toBe(ok);
  });
});

describe('managed resource group', () => {
  const guid = '3f1a8c2e-55b0-4d7e-9c1a-0e6f2b7d4a11';
  it('recognises azureml-rg-<registry>_<GUID>', () => {
    expect(parseManagedResourceGroupName(`azureml-rg-myreg_${guid}`)).toEqual({ registryName: 'myreg', guid });
    expect(parseManagedResourceGroupName(`AzureML-RG-My_Reg_${guid.toUpperCase()}`)).toEqual({ registryName: 'My_Reg', guid: guid.toUpperCase() });
    expect(isManagedResourceGroupOf(`azureml-rg-MyReg_${guid}`, 'myreg')).toBe(true);
  });

  it('rejects look-alikes', () => {
    expect(parseManagedResourceGroupName(`azureml-rg-myreg-${guid}`)).toBeUndefined();
    expect(parseManagedResourceGroupName(`azureml-rg-myreg_not-a-guid`)).toBeUndefined();
    expect(parseManagedResourceGroupName(`rg-myreg_${guid}`)).toBeUndefined();
    expect(isManagedResourceGroupOf(`azureml-rg-other_${guid}`, 'myreg')).toBe(false);
  });
});

describe('errors keep their code across the activity boundary', () => {
  it('writes the code into the message and reads it back from a plain Error', () => {
    const e = new LockdownError('REGISTRY.NOT_FOUND', 'gone');
    const crossed = new Error(`${e.message}\n   at someStack`);
    expect(errorCodeOf(crossed)).toBe('REGISTRY.NOT_FOUND');
    expect(e.detail).toBe('gone');
    expect(errorCodeOf(new Error('no code here'))).toBeUndefined();
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('withoutStack', () => {
  it('keeps the coded message of an activity failure and drops the stack durable appended', () => {
    const crossed = '[ARM.FORBIDDEN] PUT /x answered 403 AuthorizationFailed: no \n LockdownError: [ARM.FORBIDDEN] PUT /x answered 403\n    at armResponseError (/app/a.js:1:1)';
    expect(withoutStack(crossed)).toBe('[ARM.FORBIDDEN] PUT /x answered 403 AuthorizationFailed: no');
    expect(withoutStack('[CONFIG.INVALID] Invalid settings:\n- A is required')).toBe('[CONFIG.INVALID] Invalid settings:\n- A is required');
  });
});
