/** ARM error bodies: always `{ error: { code, message, details? } }`. */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorDetail[];
}

export interface ArmErrorBody {
  error: ArmErrorDetail;
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ArmErrorDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ArmError';
  }

  toBody(): ArmErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

const NOT_FOUND_HINT = 'For more details please go to https://aka.ms/ARMResourceNotFoundFix';

export const armErrors = {
  resourceNotFound(typeAndName: string, resourceGroup: string): ArmError {
    return new ArmError(404, 'ResourceNotFound', `The Resource '${typeAndName}' under resource group '${resourceGroup}' was not found. ${NOT_FOUND_HINT}`);
  },
  resourceGroupNotFound(resourceGroup: string): ArmError {
    return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
  },
  subscriptionNotFound(subscriptionId: string): ArmError {
    return new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  },
  invalidRequestContent(detail: string): ArmError {
    return new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${detail}'.`);
  },
  invalidRequestFormat(detail: string): ArmError {
    return new ArmError(400, 'InvalidRequestFormat', `Cannot parse the request. ${detail}`);
  },
  missingApiVersion(): ArmError {
    return new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  },
  invalidApiVersion(given: string, supported: readonly string[]): ArmError {
    return new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${given}' is invalid. The supported versions are '${supported.join(',')}'. Please see https://aka.ms/api-upgrade for more details.`,
    );
  },
  noRoute(method: string, path: string): ArmError {
    return new ArmError(404, 'InvalidResourceType', `The resource type could not be found in the namespace for the request '${method} ${path}'.`);
  },
  methodNotAllowed(method: string, path: string): ArmError {
    return new ArmError(405, 'MethodNotAllowed', `The requested method '${method}' is not allowed for '${path}'.`);
  },
  anotherOperationInProgress(resourceId: string, operationId = 'unknown'): ArmError {
    return new ArmError(
      409,
      'AnotherOperationInProgress',
      `Another operation on this or dependent resource is in progress. To retry later, please use the operation id '${operationId}' of the running operation. Resource: '${resourceId}'.`,
    );
  },
  denyAssignment(objectId: string, action: string, scope: string, denyScope: string, denyId: string): ArmError {
    return new ArmError(
      403,
      'DenyAssignmentAuthorizationFailed',
      `The client '${objectId}' with object id '${objectId}' has permission to perform action '${action}' on scope '${scope}'; however, the access is denied because of the deny assignment with name 'System deny assignment created by Azure Machine Learning' and Id '${denyId}' at scope '${denyScope}'.`,
    );
  },
  /** ARM's answer when the caller's role does not cover the request's action. */
  authorizationFailed(objectId: string, action: string, scope: string): ArmError {
    return new ArmError(
      403,
      'AuthorizationFailed',
      `The client '${objectId}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  },
  /** ARM's answer when the caller may perform `action` on `scope` but not the linked checks a reference in the body needs (several: comma-separated, respectively). */
  linkedAuthorizationFailed(objectId: string, action: string, scope: string, linked: readonly { action: string; scope: string }[]): ArmError {
    return new ArmError(
      403,
      'LinkedAuthorizationFailed',
      `The client '${objectId}' with object id '${objectId}' has permission to perform action '${action}' on scope '${scope}'; however, it does not have permission to perform action(s) '${linked.map((l) => l.action).join(',')}' on the linked scope(s) '${linked.map((l) => l.scope).join(',')}' (respectively) or the linked scope(s) are invalid.`,
    );
  },
  invalidResourceReference(resourceId: string, referencedBy: string): ArmError {
    return new ArmError(
      400,
      'InvalidResourceReference',
      `Resource ${resourceId} referenced by resource ${referencedBy} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
    );
  },
  throttled(kind: 'read' | 'write', subscriptionId: string, principal: string, retryAfterSeconds: number): ArmError {
    return new ArmError(
      429,
      'SubscriptionRequestsThrottled',
      `Number of '${kind}' requests for subscription '${subscriptionId}' actor '${principal}' exceeded. Please try again after '${retryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
      undefined,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  },
  /**
   * A resource provider's own limit (the Network RP's writes or reads per 5 minutes): 429 with
   * Retry-After in ARM's error body. The code and wording are not documented; TooManyRequests is
   * the status's name (inferred).
   */
  providerThrottled(namespace: string, kind: 'read' | 'write', subscriptionId: string, limit: number, windowSeconds: number, retryAfterSeconds: number): ArmError {
    return new ArmError(
      429,
      'TooManyRequests',
      `The request is being throttled: the number of '${kind}' requests to ${namespace} for subscription '${subscriptionId}' reached its limit of ${limit} per ${windowSeconds / 60} minutes. Please try again after '${retryAfterSeconds}' seconds.`,
      undefined,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  },
  internal(message = 'An internal server error occurred.'): ArmError {
    return new ArmError(500, 'InternalServerError', message);
  },
};
