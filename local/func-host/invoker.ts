/**
 * Invokes a registered function exactly as the Node.js worker does: programming model →
 * getInvocationModel(coreCtx) → getArguments → preInvocation hooks → invokeFunction →
 * postInvocation hooks → getResponse.
 */
import { randomUUID } from 'node:crypto';
import type { StandIn } from './functions-core-stand-in';
import type { FunctionTimeout } from './host-json';
import type { InvocationResult, Logger, Registration, RpcParameterBinding, RpcTypedData } from './types';
import { isRecord } from './types';

export interface InvokeRequest {
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  invocationId?: string;
}

async function runHooks(standIn: StandIn, name: string, ctx: Record<string, unknown>): Promise<void> {
  const hooks = standIn.hooks.get(name);
  if (!hooks) return;
  for (const hook of [...hooks]) {
    await hook(ctx);
  }
}

function asTypedData(value: unknown): RpcTypedData | null | undefined {
  if (value === null || value === undefined) return value;
  return isRecord(value) ? (value as RpcTypedData) : undefined;
}

export class Invoker {
  private readonly appHookData: Record<string, unknown> = {};

  constructor(
    private readonly standIn: StandIn,
    private readonly logger: Logger,
    /** host.json `functionTimeout`: every invocation (HTTP, Event Grid, timer, orchestrator, activity) */
    private readonly functionTimeout?: FunctionTimeout,
  ) {}

  async appStart(): Promise<void> {
    await runHooks(this.standIn, 'appStart', { hookData: this.appHookData, appHookData: this.appHookData, hostVersion: '4.0.0-local' });
  }

  async appTerminate(): Promise<void> {
    await runHooks(this.standIn, 'appTerminate', { hookData: this.appHookData, appHookData: this.appHookData });
  }

  /**
   * One invocation within `functionTimeout`, as the Functions host enforces it: past the
   * timeout the invocation fails with the host's FunctionTimeoutException message (an HTTP
   * trigger answers 500, a durable activity fails and its retry policy applies). The host cannot
   * stop JavaScript running in its own process: the handler's promise is abandoned, its result
   * ignored (in Azure the worker process would be recycled).
   */
  async invoke(reg: Registration, request: InvokeRequest): Promise<InvocationResult> {
    const invocationId = request.invocationId ?? randomUUID();
    const run = this.run(reg, request, invocationId);
    const limit = this.functionTimeout;
    if (!limit) return run;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.logger.error(`Timeout value of ${limit.text} exceeded by function 'Functions.${reg.name}' (Id: '${invocationId}'). Initiating cancellation.`);
        const err = new Error(`Timeout value of ${limit.text} was exceeded by function: Functions.${reg.name}`);
        err.name = 'FunctionTimeoutException';
        reject(err);
      }, limit.ms);
    });
    run.catch(() => undefined); // an abandoned invocation's late failure is nobody's to handle
    try {
      return await Promise.race([run, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(reg: Registration, request: InvokeRequest, invocationId: string): Promise<InvocationResult> {
    const model = this.standIn.programmingModel;
    if (!model) throw new Error('No programming model was set by the app');
    const logger = this.logger;
    const coreCtx: Record<string, unknown> = {
      invocationId,
      request: {
        invocationId,
        functionId: reg.name,
        inputData: request.inputData,
        triggerMetadata: request.triggerMetadata ?? {},
      },
      metadata: { name: reg.name, bindings: reg.metadata.bindings, functionId: reg.name, isProxy: false },
      state: undefined,
      log(level: string, category: string, message: string): void {
        const line = `${reg.name} [${category}] ${message}`;
        if (level === 'error' || level === 'critical') logger.error(line);
        else if (level === 'warning') logger.warn(line);
        else if (level === 'information') logger.info(line);
        else logger.debug(line);
      },
    };
    const invocModel = model.getInvocationModel(coreCtx);
    const { context, inputs } = await invocModel.getArguments();
    const hookData: Record<string, unknown> = {};
    const pre: Record<string, unknown> = {
      hookData,
      appHookData: this.appHookData,
      invocationContext: context,
      functionCallback: reg.handler,
      inputs,
    };
    coreCtx.state = 'preInvocationHooks';
    await runHooks(this.standIn, 'preInvocation', pre);
    const callback = typeof pre.functionCallback === 'function' ? (pre.functionCallback as Registration['handler']) : reg.handler;
    const finalInputs = Array.isArray(pre.inputs) ? (pre.inputs as unknown[]) : inputs;
    coreCtx.state = 'invocation';
    let result: unknown;
    let error: unknown;
    let failed = false;
    try {
      result = await invocModel.invokeFunction(context, finalInputs, callback);
    } catch (err) {
      failed = true;
      error = err;
    }
    const post: Record<string, unknown> = {
      hookData,
      appHookData: this.appHookData,
      invocationContext: context,
      inputs: finalInputs,
      result,
      error,
    };
    coreCtx.state = 'postInvocationHooks';
    await runHooks(this.standIn, 'postInvocation', post);
    coreCtx.state = undefined;
    if (failed && post.error !== undefined && post.error !== null) throw post.error;
    const response = await invocModel.getResponse(context, post.result);
    const outputData: { name: string; data: RpcTypedData }[] = [];
    let returnValue: RpcTypedData | null | undefined;
    if (isRecord(response)) {
      returnValue = asTypedData(response.returnValue);
      if (Array.isArray(response.outputData)) {
        for (const o of response.outputData) {
          if (isRecord(o) && typeof o.name === 'string' && isRecord(o.data)) outputData.push({ name: o.name, data: o.data as RpcTypedData });
        }
      }
    }
    return { result: post.result, returnValue, outputData };
  }
}
