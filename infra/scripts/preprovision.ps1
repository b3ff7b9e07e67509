# azd preprovision hook (Windows): the Entra app registration of the HTTP API (AUTH_APP_ID).
# See preprovision.sh for what is made and why; the two do the same az calls.
$ErrorActionPreference = 'Stop'
$auth = Join-Path $PSScriptRoot '..' 'auth'

function Invoke-Az {
  $out = & az @args
  if ($LASTEXITCODE -ne 0) { throw "az $($args -join ' ') failed (exit $LASTEXITCODE)" }
  return $out
}

if ($env:AUTH_APP_ID) {
  & az ad app show --id $env:AUTH_APP_ID --query appId -o tsv | Out-Null
  if ($LASTEXITCODE -ne 0) {
    Write-Error "AUTH_APP_ID=$($env:AUTH_APP_ID) is not an app registration of this tenant (az ad app show failed). Unset it to have one created: azd env set AUTH_APP_ID ''"
    exit 1
  }
  Write-Host "Using the app registration AUTH_APP_ID=$($env:AUTH_APP_ID) as it is: it needs the app roles of infra/auth/app-roles.json and the identifier URI api://$($env:AUTH_APP_ID) (docs/deploy.md, `"Who may call the API`")."
  exit 0
}

if (-not $env:AZURE_ENV_NAME) { Write-Error 'AZURE_ENV_NAME is not set: run through azd'; exit 1 }
$name = "AML Registry Lockdown API ($($env:AZURE_ENV_NAME))"
$appId = Invoke-Az ad app list --filter "displayName eq '$name'" --query '[0].appId' -o tsv
if (-not $appId) {
  Write-Host "Creating the app registration `"$name`"..."
  $appId = Invoke-Az ad app create --display-name $name --sign-in-audience AzureADMyOrg --query appId -o tsv
} else {
  Write-Host "Found the app registration `"$name`" ($appId); making sure it is complete..."
}
if (-not $appId) { Write-Error "The app registration `"$name`" could not be created or read."; exit 1 }
$objectId = Invoke-Az ad app show --id $appId --query id -o tsv
$graph = (Invoke-Az cloud show --query endpoints.microsoftGraphResourceId -o tsv).TrimEnd('/')

Invoke-Az ad app update --id $appId --app-roles "@$(Join-Path $auth 'app-roles.json')" --identifier-uris "api://$appId" | Out-Null
# the scope first: the pre-authorization refers to it
Invoke-Az rest --method PATCH --uri "$graph/v1.0/applications/$objectId" --headers 'Content-Type=application/json' --body "@$(Join-Path $auth 'api-scopes.json')" | Out-Null
Invoke-Az rest --method PATCH --uri "$graph/v1.0/applications/$objectId" --headers 'Content-Type=application/json' --body "@$(Join-Path $auth 'api.json')" | Out-Null

if (-not (Invoke-Az ad sp list --filter "appId eq '$appId'" --query '[0].id' -o tsv)) {
  Invoke-Az ad sp create --id $appId --query id -o tsv | Out-Null
}
Invoke-Az ad sp update --id $appId --set appRoleAssignmentRequired=true | Out-Null

azd env set AUTH_APP_ID $appId
if ($LASTEXITCODE -ne 0) { Write-Error 'azd env set AUTH_APP_ID failed'; exit 1 }
Write-Host "AUTH_APP_ID=$appId. Grant the app roles (Lockdown.Reader, Lockdown.Operator, Lockdown.NetworkAdmin) as docs/deploy.md, `"Who may call the API`", shows."
