/** What other features may use of fleet: its CLI command (the workspace commands' `--all`). */
export { runFleetCommand } from './cli';
