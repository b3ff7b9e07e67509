import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCommandLine, type ReportCommand } from '../../../src/cli/args';
import { runCli } from '../../../src/cli/app';
import { reportUrl, runReportCommand, type ApiReportCommand } from '../../../src/report/cli';
import { REGISTRY_ID } from '../../helpers/hardening-fixtures';

const APP_ID = '00000000-0000-0000-0000-0000000000e1';
/** A credential that has a token for the API's scope only (what a signed-in caller's chain gives). */
function auth(token: string): { appId: string; credential: TokenCredential } {
  return {
    appId: APP_ID,
    credential: {
      async getToken(scopes: string | string[]): Promise<AccessToken> {
        if ([scopes].flat().join(' ') !== `api://${APP_ID}/.default`) throw new Error(`no token for ${[scopes].flat().join(' ')}`);
        return { token, expiresOnTimestamp: Date.now() + 60_000 };
      },
    },
  };
}

class Sink {
  text = '';
  readonly isTTY = false;
  write(t: string): void {
    this.text += t;
  }
}

/** A stand-in for the function app on 127.0.0.1: records what it was asked, answers per path. */
async function server(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: IncomingMessage[]; close(): Promise<void> }> {
  const seen: IncomingMessage[] = [];
  const s: Server = createServer((req, res) => {
    seen.push(req);
    answer(req, res);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => s.close(() => r())) };
}

describe('aml-lockdown report: the command line', () => {
  it('report <registryId> --api … [--app-id] [--out] [--json]; report --all for the fleet', () => {
    expect(parseCommandLine(['report', REGISTRY_ID, '--api', 'https://func.example/api/', '--out', 'r.html'])).toMatchObject({ command: 'report', all: false, json: false, api: 'https://func.example', out: 'r.html', registry: { name: 'reg1' } });
    expect(parseCommandLine(['report', '--all', '--api', 'https://func.example', '--json', '--app-id', APP_ID.toUpperCase()])).toEqual({ command: 'report', all: true, json: true, api: 'https://func.example', appId: APP_ID });
  });

  it('says what is wrong', () => {
    const bad = (argv: string[]) => () => parseCommandLine(argv);
    expect(bad(['report', '--api', 'https://f.example'])).toThrow(/takes <registryId> \(or --all\); got nothing/);
    expect(bad(['report', REGISTRY_ID, '--all', '--api', 'https://f.example'])).toThrow(/takes no <registryId>/);
    expect(bad(['report', 'not-an-id', '--api', 'https://f.example'])).toThrow(/bad <registryId>/);
    expect(bad(['report', REGISTRY_ID, '--api', 'https://f.example', '--subnet', 'x'])).toThrow(/--subnet is not an option of 'report'/);
    expect(bad(['report', REGISTRY_ID, '--api', 'https://f.example', '--out', ' '])).toThrow('--out must name a file');
    expect(bad(['report', REGISTRY_ID, '--api', 'https://f.example', '--app-id', 'func-app'])).toThrow("--app-id must be the app registration's client id (a GUID), not 'func-app'");
  });

  it('needs the API: --api or LOCKDOWN_API_URL (exit 2)', async () => {
    const stderr = new Sink();
    expect(await runCli(['report', REGISTRY_ID, '--app-id', APP_ID], { stdout: new Sink(), stderr, environment: () => ({}) })).toBe(2);
    expect(stderr.text).toContain("'report' reads the app's HTTP API: give --api <functionsBaseUrl> (or LOCKDOWN_API_URL in the environment or the --settings file)");
    const bad = new Sink();
    expect(await runCli(['report', REGISTRY_ID, '--app-id', APP_ID], { stdout: new Sink(), stderr: bad, environment: () => ({ LOCKDOWN_API_URL: 'ftp://f.example' }) })).toBe(2);
    expect(bad.text).toContain("LOCKDOWN_API_URL: --api must be an http(s) URL, not 'ftp://f.example'");
  });

  it("needs the API's app registration (exit 2)", async () => {
    const stderr = new Sink();
    const code = await runCli(['report', REGISTRY_ID, '--api', 'https://f.example'], { stdout: new Sink(), stderr, environment: () => ({}) });
    expect(code).toBe(2);
    expect(stderr.text).toContain("'report' needs the app registration of the HTTP API: --app-id <guid> or AUTH_APP_ID");
  });

  it('asks for the registry report or the fleet overview in the format wanted', () => {
    const command = parseCommandLine(['report', REGISTRY_ID, '--api', 'https://f.example']) as ApiReportCommand;
    expect(reportUrl(command)).toBe('https://f.example/api/registries/00000000-0000-0000-0000-000000000001/rg-ml/reg1/report?format=html');
    expect(reportUrl({ ...command, all: true, json: true })).toBe('https://f.example/api/fleet/report?format=json');
  });
});

describe('aml-lockdown report: over the wire', () => {
  const command = (api: string, extra: Partial<ReportCommand> = {}): ApiReportCommand => ({ ...(parseCommandLine(['report', REGISTRY_ID, '--api', api]) as ReportCommand), api, ...extra });

  it("writes the page the app serves, asked with the caller's token and JSON accepted for errors", async () => {
    const app = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><title>report</title>');
    });
    try {
      const files = new Map<string, string>();
      const stdout = new Sink();
      const code = await runReportCommand(command(app.url, { out: 'report.html' }), auth('the-token'), { stdout, stderr: new Sink(), writeFile: (p, c) => files.set(p, c) });
      expect(code).toBe(0);
      expect(files.get('report.html')).toBe('<!DOCTYPE html><title>report</title>');
      expect(stdout.text).toMatch(/^aml-lockdown report: wrote report\.html \(HTML, 36 bytes\) from http:\/\/127\.0\.0\.1:\d+\/api\/registries\/.+\/reg1\/report\?format=html\n$/);
      expect(app.seen[0]?.headers.authorization).toBe('Bearer the-token');
      expect(app.seen[0]?.url).not.toContain('the-token');
      expect(app.seen[0]?.headers.accept).toBe('text/html, application/json;q=0.5');
      // without --out, to stdout
      const out = new Sink();
      expect(await runReportCommand(command(app.url), auth('the-token'), { stdout: out, stderr: new Sink() })).toBe(0);
      expect(out.text).toBe('<!DOCTYPE html><title>report</title>\n');
    } finally {
      await app.close();
    }
  });

  it('an API error is its code and message (exit 1), and nothing is written', async () => {
    const app = await server((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'REGISTRY.NOT_FOUND', message: "registry 'reg1' does not exist" } }));
    });
    try {
      const stderr = new Sink();
      const files = new Map<string, string>();
      expect(await runReportCommand(command(app.url, { out: 'x.html' }), auth('k'), { stdout: new Sink(), stderr, writeFile: (p, c) => files.set(p, c) })).toBe(1);
      expect(stderr.text).toBe("aml-lockdown report: REGISTRY.NOT_FOUND: registry 'reg1' does not exist\n");
      expect(files.size).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('a refused token, a 404 that is not the API, an unreachable app, no token to be had', async () => {
    const app = await server((req, res) => {
      res.writeHead(req.url?.includes('/fleet/') ? 404 : 401);
      res.end();
    });
    try {
      const stderr = new Sink();
      expect(await runReportCommand(command(app.url), auth('wrong'), { stdout: new Sink(), stderr })).toBe(1);
      expect(stderr.text).toContain("HTTP.UNAUTHORIZED: the function app's App Service Authentication refused the token (401, no body: the platform answers before the app); sign in as a principal with the app role Lockdown.Reader");
      const e2 = new Sink();
      expect(await runReportCommand(command(app.url, { all: true }), auth('k'), { stdout: new Sink(), stderr: e2 })).toBe(1);
      expect(e2.text).toContain('HTTP.NOT_FOUND:');
    } finally {
      await app.close();
    }
    const e3 = new Sink();
    expect(await runReportCommand(command(app.url), auth('k'), { stdout: new Sink(), stderr: e3 })).toBe(1);
    expect(e3.text).toContain('HTTP.UNREACHABLE: cannot reach');
    const e4 = new Sink();
    const noToken = { appId: '00000000-0000-0000-0000-0000000000e2', credential: auth('k').credential };
    expect(await runReportCommand(command(app.url), noToken, { stdout: new Sink(), stderr: e4 })).toBe(1);
    expect(e4.text).toContain('HTTP.UNAUTHORIZED: no token for api://00000000-0000-0000-0000-0000000000e2/.default from the Azure credential chain');
  });

  it('follows no redirect: the token never reaches where it points', async () => {
    const elsewhere = await server((_req, res) => res.end('gotcha'));
    const app = await server((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/steal` });
      res.end();
    });
    try {
      const stderr = new Sink();
      expect(await runReportCommand(command(app.url), auth('secret'), { stdout: new Sink(), stderr })).toBe(1);
      expect(stderr.text).toContain('HTTP.REDIRECT_REFUSED:');
      expect(stderr.text).toContain('follows no redirect');
      expect(elsewhere.seen).toHaveLength(0);
    } finally {
      await app.close();
      await elsewhere.close();
    }
  });
});
