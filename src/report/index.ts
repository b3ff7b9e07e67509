/** What other parts may use of the report: its CLI command (`aml-lockdown report`). */
export { runReportCommand } from './cli';
