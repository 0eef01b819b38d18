#!/usr/bin/env bash
# WorkloadFederation GitHub Action: GitHub OIDC token -> access token (RFC 8693 token exchange).
# Inputs (from action.yml): WIF_INPUT_CLIENT_ID, WIF_INPUT_AUDIENCE, WIF_INPUT_SERVER_URL.
# Needs: bash, curl, jq (present on GitHub-hosted runners). Never prints a token; masks the access token.
set -euo pipefail

# Workflow commands must not be broken by the server's text (GitHub's escaping for command data).
escape() { local s="$1"; s="${s//'%'/%25}"; s="${s//$'\r'/%0D}"; s="${s//$'\n'/%0A}"; printf '%s' "$s"; }
fail() { echo "::error title=WorkloadFederation::$(escape "$1")"; exit 1; }

for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is required on the runner"
done

client_id="${WIF_INPUT_CLIENT_ID:-}"
[ -n "$client_id" ] || fail "input client_id is required (a trust's client id, e.g. swift-otter-19384@acme.example.com/wfe)"
if ! [[ "$client_id" =~ ^[a-z]{1,16}-[a-z]{1,16}-[0-9]{5}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?/wfe$ ]]; then
  fail "input client_id is malformed: expected <word>-<word>-<5 digits>@<tenant domain>/wfe (a trust's client id)"
fi
tenant="${client_id#*@}"
tenant="${tenant%/wfe}"
audience="${WIF_INPUT_AUDIENCE:-$tenant}"
server="${WIF_INPUT_SERVER_URL:-${CONDUCTORONE_SERVER_URL:-https://$tenant}}"
server="${server%/}"
case "$server" in
  https://*) ;;
  http://127.0.0.1[:/]*|http://127.0.0.1|http://localhost[:/]*|http://localhost|http://\[::1\]*) ;;
  *) fail "server_url must be an https:// URL (http:// only for a loopback address)" ;;
esac

[ -n "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] && [ -n "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ] \
  || fail "ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: give the job 'permissions: id-token: write'"
[ -n "${GITHUB_ENV:-}" ] || fail "GITHUB_ENV is not set (not running in GitHub Actions?)"

work="$(mktemp -d "${RUNNER_TEMP:-/tmp}/wif.XXXXXX")"
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
umask 077

# 1. A fresh GitHub OIDC token with the audience (the request token goes in a header file, not on the command line).
printf 'Authorization: bearer %s\n' "$ACTIONS_ID_TOKEN_REQUEST_TOKEN" > "$work/gh-header"
sep='&'; [[ "$ACTIONS_ID_TOKEN_REQUEST_URL" == *\?* ]] || sep='?'
aud_q="$(jq -rn --arg v "$audience" '$v|@uri')"
gh_status="$(curl -sS --max-time 30 --retry 3 --retry-delay 1 -o "$work/gh.json" -w '%{http_code}' \
  -H @"$work/gh-header" -H 'Accept: application/json' "${ACTIONS_ID_TOKEN_REQUEST_URL}${sep}audience=${aud_q}")" \
  || fail "the GitHub OIDC token request failed (network)"
[ "$gh_status" = 200 ] || fail "the GitHub OIDC token request answered HTTP $gh_status"
jq -je '.value | strings' "$work/gh.json" > "$work/subject" 2>/dev/null || fail "the GitHub OIDC token request answered without a token"
rm -f "$work/gh.json" "$work/gh-header"

# 2. The exchange, retried (bounded) on 429 (honouring Retry-After up to 30 s) and 5xx; never on 400/401.
attempt=1
max_attempts=3
while :; do
  status="$(curl -sS --max-time 30 -o "$work/token.json" -D "$work/headers" -w '%{http_code}' \
    -H 'Accept: application/json' \
    --data-urlencode 'grant_type=urn:ietf:params:oauth:grant-type:token-exchange' \
    --data-urlencode "client_id=$client_id" \
    --data-urlencode 'subject_token_type=urn:ietf:params:oauth:token-type:jwt' \
    --data-urlencode "subject_token@$work/subject" \
    "$server/auth/v1/token")" || status=000
  if [ "$status" = 200 ]; then break; fi
  if [ "$attempt" -ge "$max_attempts" ] || ! [[ "$status" =~ ^(000|429|5[0-9][0-9])$ ]]; then break; fi
  wait=$((attempt * 2))
  retry_after="$(tr -d '\r' < "$work/headers" | awk 'tolower($1)=="retry-after:" {print $2}' | tail -n 1)"
  if [[ "$retry_after" =~ ^[0-9]+$ ]]; then
    [ "$retry_after" -le 30 ] || break
    wait="$retry_after"
  fi
  sleep "$wait"
  attempt=$((attempt + 1))
done
rm -f "$work/subject"

if [ "$status" != 200 ]; then
  if [ "$status" = 000 ]; then fail "the token endpoint $server/auth/v1/token could not be reached"; fi
  error="$(jq -r '.error // empty | strings' "$work/token.json" 2>/dev/null | head -c 64 || true)"
  description="$(jq -r '.error_description // empty | strings' "$work/token.json" 2>/dev/null | head -c 512 || true)"
  if [ -n "$error" ]; then
    fail "the token exchange was refused (HTTP $status): $error${description:+: $description}"
  fi
  fail "the token exchange failed: HTTP $status from $server/auth/v1/token"
fi

token="$(jq -er '.access_token | strings' "$work/token.json" 2>/dev/null)" || fail "the token endpoint answered without an access_token"
expires_in="$(jq -er '.expires_in | numbers' "$work/token.json" 2>/dev/null || echo 0)"
[[ "$token" =~ ^[A-Za-z0-9._~+/=-]+$ ]] || fail "the access token has an unexpected form"

echo "::add-mask::$token"
delimiter="WIF_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
{
  printf 'CONDUCTORONE_ACCESS_TOKEN<<%s\n%s\n%s\n' "$delimiter" "$token" "$delimiter"
  printf 'CONDUCTORONE_CLIENT_ID=%s\n' "$client_id"
  if [ -n "${WIF_INPUT_SERVER_URL:-}" ]; then printf 'CONDUCTORONE_SERVER_URL=%s\n' "$server"; fi
} >> "$GITHUB_ENV"
if [ -n "${GITHUB_OUTPUT:-}" ]; then printf 'expires_in=%s\n' "$expires_in" >> "$GITHUB_OUTPUT"; fi
echo "WorkloadFederation: access token for $client_id exported as CONDUCTORONE_ACCESS_TOKEN (expires in ${expires_in}s)"
