/** The app's version, sent in every user agent; a unit test keeps it equal to package.json. */
export const APP_NAME = 'aml-registry-lockdown';
export const APP_VERSION = '0.1.0';
export const USER_AGENT_PREFIX = `${APP_NAME}/${APP_VERSION}`;
