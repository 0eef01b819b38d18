#!/usr/bin/env bash
# AWS IAM outbound identity federation -> WorkloadFederation access token.
# Usage: CONDUCTORONE_CLIENT_ID=<trust client id> AWS_REGION=<region> ./get-token.sh
# Prints nothing secret; exports nothing by itself. Source-able: `eval "$(./get-token.sh --export)"`
# sets CONDUCTORONE_OIDC_TOKEN for `wif` / the .NET SDK, which exchange it themselves.
set -euo pipefail
: "${CONDUCTORONE_CLIENT_ID:?set CONDUCTORONE_CLIENT_ID to the client id of the trust}"
: "${AWS_REGION:?set AWS_REGION: GetWebIdentityToken is not served by the global STS endpoint}"
tenant="${CONDUCTORONE_TENANT_DOMAIN:-${CONDUCTORONE_CLIENT_ID#*@}}"
tenant="${tenant%/wfe}"
token="$(aws sts get-web-identity-token --region "$AWS_REGION" \
  --audience "$tenant" --signing-algorithm RS256 --duration-seconds 300 \
  --query WebIdentityToken --output text)"
if [ "${1:-}" = "--export" ]; then
  printf 'export CONDUCTORONE_OIDC_TOKEN=%q\n' "$token"
else
  echo "got an AWS web identity token for audience $tenant (not shown); run with --export to use it" >&2
fi
