#!/bin/sh
# azd postdeploy hook: create the Event Grid subscriptions once the function exists.
# Event Grid validates an AzureFunction endpoint when a subscription is created, and on the first
# `azd up` the function only exists after `deploy`; so the first provision runs with
# DEPLOY_EVENT_SUBSCRIPTIONS=false, and this hook turns it on and provisions again (idempotent:
# every other resource is unchanged). Later `azd up`/`azd provision` runs keep it on.
set -eu

if [ "${DEPLOY_EVENT_SUBSCRIPTIONS:-false}" = "true" ]; then
  echo "Event Grid subscriptions are already part of the deployment."
  exit 0
fi

azd env set DEPLOY_EVENT_SUBSCRIPTIONS true
# The function's metadata can take a moment to appear after a Flex Consumption deployment.
attempt=1
until azd provision --no-prompt; do
  if [ "$attempt" -ge 3 ]; then
    echo "Could not create the Event Grid subscriptions; run 'azd provision' again once 'onRegistryWrite' is listed in the function app." >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  echo "Retrying in 30 s (the function may not be indexed yet)..."
  sleep 30
done
