import * as df from 'durable-functions';
import { activityDeps } from '../main';
import { httpTriggerOptions, Routes } from '../http/routes';
import { getFleetReport, getRegistryReport } from './http';

/**
 * The report routes (reads only; the durable client lists the run history). Role: Lockdown.Reader.
 */
df.app.client.http(Routes.getRegistryReport.name, { ...httpTriggerOptions(Routes.getRegistryReport), handler: (request, client, context) => getRegistryReport(request, client, context, activityDeps()) });
df.app.client.http(Routes.getFleetReport.name, { ...httpTriggerOptions(Routes.getFleetReport), handler: (request, client, context) => getFleetReport(request, client, context, activityDeps()) });
