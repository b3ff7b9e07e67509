import { app, type FunctionHandler } from '@azure/functions';
import { withinInvocationBudget } from '../azure/invocation-budget';
import { getConfig } from '../config';
import { FUNCTION_TIMEOUT_MARGIN_SECONDS } from '../config/timeouts';

/**
 * One registration for every activity of every feature: each activity invocation runs within its
 * time budget (FUNCTION_TIMEOUT_SECONDS less the margin), so the Azure calls it makes, however
 * many, stop with a coded retryable error before the host's functionTimeout would end the
 * invocation (src/azure/invocation-budget.ts).
 */
app.hook.preInvocation((context) => {
  if (context.invocationContext.options.trigger.type !== 'activityTrigger') return;
  const handler: FunctionHandler = context.functionHandler;
  const what = `activity '${context.invocationContext.functionName}'`;
  context.functionHandler = (...args: Parameters<FunctionHandler>) => {
    const seconds = getConfig().FUNCTION_TIMEOUT_SECONDS - FUNCTION_TIMEOUT_MARGIN_SECONDS;
    return withinInvocationBudget(what, seconds, () => handler(...args));
  };
});
