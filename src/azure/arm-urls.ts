import { ErrorCodes, LockdownError } from '../shared/errors';
import { logText } from '../shared/log-text';

/**
 * ARM hands back absolute URLs to follow: a list's `nextLink`, a long-running operation's
 * `Azure-AsyncOperation` or `Location`. They are followed with the ARM token, so only on the
 * configured ARM endpoint (same scheme, host and port): a URL elsewhere is refused before
 * anything is sent, and the token never leaves for another host.
 */
export function armUrlToFollow(url: string, armEndpoint: string, what: string): string {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new LockdownError(ErrorCodes.ARM_SERVER, `${what}: '${logText(url, 200)}' is not a URL; it was not followed.`);
  }
  const arm = new URL(armEndpoint).origin;
  if (target.origin !== arm) {
    throw new LockdownError(ErrorCodes.ARM_SERVER, `${what}: a URL outside ARM (${logText(target.origin, 200)}, not ${arm}) was not followed.`);
  }
  return url;
}
