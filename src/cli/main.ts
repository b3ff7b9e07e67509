#!/usr/bin/env node
/**
 * `aml-lockdown`: the operator CLI (docs/cli.md). plan / apply / verify-dns run the
 * hardening steps in process over the same activities and domain as the app; discovery calls
 * registry discovery; status reads the app's HTTP API. Exit codes: 0 done / compliant,
 * 1 failed, 2 bad usage or settings.
 */
import { runCli } from './app';

const stdout = { write: (text: string) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true };
const stderr = { write: (text: string) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true };

runCli(process.argv.slice(2), { stdout, stderr }).then(
  (code) => {
    // Explicit exit: the SDK's keep-alive sockets would otherwise hold the process open for a while.
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`aml-lockdown: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
