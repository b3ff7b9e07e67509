import { bearerChallenge, refusalWithoutBody } from '../../../src/cli/api-token';

describe("a refusal without an API error (App Service Authentication's)", () => {
  it('reads the error of a Bearer challenge', () => {
    expect(bearerChallenge('Bearer realm="func.example" error="invalid_token" error_description="the token has expired"')).toEqual({ error: 'invalid_token', description: 'the token has expired' });
    expect(bearerChallenge('Bearer realm="func.example"')).toEqual({});
    expect(bearerChallenge(null)).toEqual({});
  });

  it('names the platform, the challenge error and what to check', () => {
    const expired = refusalWithoutBody(401, 'Bearer realm="x" error="invalid_token" error_description="audience api://other is not accepted"');
    expect(expired).toContain("App Service Authentication refused the token (401, no body: the platform answers before the app): invalid_token (audience api://other is not accepted)");
    expect(expired).toContain('--app-id / AUTH_APP_ID');
    expect(expired).toContain('Lockdown.Reader');
    expect(refusalWithoutBody(401, 'Bearer realm="x"')).toContain('(401, no body: the platform answers before the app); sign in');
  });
});
