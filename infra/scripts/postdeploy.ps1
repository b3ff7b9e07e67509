# azd postdeploy hook (Windows): see postdeploy.sh for why the Event Grid subscriptions come last.
$ErrorActionPreference = 'Stop'

if ($env:DEPLOY_EVENT_SUBSCRIPTIONS -eq 'true') {
  Write-Host 'Event Grid subscriptions are already part of the deployment.'
  exit 0
}

azd env set DEPLOY_EVENT_SUBSCRIPTIONS true
for ($attempt = 1; $attempt -le 3; $attempt++) {
  azd provision --no-prompt
  if ($LASTEXITCODE -eq 0) { exit 0 }
  if ($attempt -lt 3) {
    Write-Host 'Retrying in 30 s (the function may not be indexed yet)...'
    Start-Sleep -Seconds 30
  }
}
Write-Error "Could not create the Event Grid subscriptions; run 'azd provision' again once 'onRegistryWrite' is listed in the function app."
exit 1
