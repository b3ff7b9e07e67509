import { getConfig, type Config } from '../config';
import { createPorts, type Ports } from '../azure/ports.factory';

/** What every activity gets: settings and the adapters, built once per process. */
export interface ActivityDeps {
  config: Config;
  ports: Ports;
  now: () => Date;
}

let deps: ActivityDeps | undefined;

export function activityDeps(): ActivityDeps {
  if (!deps) {
    const config = getConfig();
    deps = { config, ports: createPorts(config), now: () => new Date() };
  }
  return deps;
}
