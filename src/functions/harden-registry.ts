import * as df from 'durable-functions';
import { hardenRegistryOrchestrator } from '../orchestrations/harden-registry.orchestrator';
import { Orchestrators } from './names';

df.app.orchestration(Orchestrators.hardenRegistry, hardenRegistryOrchestrator);
