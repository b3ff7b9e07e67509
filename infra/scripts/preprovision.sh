#!/bin/sh
# azd preprovision hook: the Entra app registration of the HTTP API (AUTH_APP_ID), whose tokens
# App Service Authentication accepts (main.bicep refuses to deploy without it).
#  - AUTH_APP_ID set: a registration someone made; it is checked to exist and left as it is.
#  - else the registration "AML Registry Lockdown API (<env>)" is found or created, and made what
#    the app needs (every step below is idempotent, so a run that stopped half-way is completed):
#    the app roles of infra/auth/app-roles.json, the identifier URI api://<app id>, v2 access tokens,
#    a delegated scope pre-authorized for the Azure CLI and Azure PowerShell (so `aml-lockdown` gets
#    user tokens with DefaultAzureCredential without a consent prompt), and a service principal
#    that only users and apps ASSIGNED an app role may get tokens for. Then AUTH_APP_ID is set.
# Needs the az CLI, signed in to the tenant with the right to create app registrations.
set -eu

here=$(cd "$(dirname "$0")/../auth" && pwd)

if [ -n "${AUTH_APP_ID:-}" ]; then
  if ! az ad app show --id "$AUTH_APP_ID" --query appId -o tsv >/dev/null; then
    echo "AUTH_APP_ID=$AUTH_APP_ID is not an app registration of this tenant (az ad app show failed). Unset it to have one created: azd env set AUTH_APP_ID ''" >&2
    exit 1
  fi
  echo "Using the app registration AUTH_APP_ID=$AUTH_APP_ID as it is: it needs the app roles of infra/auth/app-roles.json and the identifier URI api://$AUTH_APP_ID (docs/deploy.md, \"Who may call the API\")."
  exit 0
fi

name="AML Registry Lockdown API (${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run through azd})"
app_id=$(az ad app list --filter "displayName eq '$name'" --query "[0].appId" -o tsv)
if [ -z "$app_id" ]; then
  echo "Creating the app registration \"$name\"..."
  app_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
else
  echo "Found the app registration \"$name\" ($app_id); making sure it is complete..."
fi
if [ -z "$app_id" ]; then
  echo "The app registration \"$name\" could not be created or read." >&2
  exit 1
fi
object_id=$(az ad app show --id "$app_id" --query id -o tsv)
graph=$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)
graph=${graph%/}

az ad app update --id "$app_id" --app-roles "@$here/app-roles.json" --identifier-uris "api://$app_id"
# the scope first: the pre-authorization refers to it
az rest --method PATCH --uri "$graph/v1.0/applications/$object_id" --headers "Content-Type=application/json" --body "@$here/api-scopes.json"
az rest --method PATCH --uri "$graph/v1.0/applications/$object_id" --headers "Content-Type=application/json" --body "@$here/api.json"

if [ -z "$(az ad sp list --filter "appId eq '$app_id'" --query "[0].id" -o tsv)" ]; then
  az ad sp create --id "$app_id" --query id -o tsv >/dev/null
fi
az ad sp update --id "$app_id" --set appRoleAssignmentRequired=true

azd env set AUTH_APP_ID "$app_id"
echo "AUTH_APP_ID=$app_id. Grant the app roles (Lockdown.Reader, Lockdown.Operator, Lockdown.NetworkAdmin) as docs/deploy.md, \"Who may call the API\", shows."
