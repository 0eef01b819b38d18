using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.LoadDriver;

/// <summary>
/// Prepares a scenario through the public API only (API.md): logs in as the bootstrap admin, creates a service
/// principal and either a trust on the dev issuer's provider or a client credential, and pre-mints subject tokens.
/// </summary>
internal sealed class ScenarioSetup(HttpClient http, LoadOptions options)
{
    /// <summary>The condition the exchange scenario's trust carries (the benchmark condition).</summary>
    public const string Condition = "claims.repository == \"acme/infra\" && claims.environment == \"production\"";

    public async Task<string> LoginAsAdminAsync(CancellationToken ct)
    {
        var path = Path.Combine(options.DataDirectory, "bootstrap-admin.json");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path, ct));
        var clientId = doc.RootElement.GetProperty("client_id").GetString()!;
        var secret = doc.RootElement.GetProperty("client_secret").GetString()!;
        var token = await PostTokenAsync(
            [
                new(OAuthParameters.GrantType, GrantTypes.ClientCredentials),
                new(OAuthParameters.ClientId, clientId),
                new(OAuthParameters.ClientSecret, secret),
            ], ct);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(TokenTypes.Bearer, token);
        return doc.RootElement.GetProperty("tenant").GetString()!;
    }

    public async Task<string> CreatePrincipalAsync(CancellationToken ct)
    {
        var principal = await SendAsync(HttpMethod.Post, $"{EndpointPaths.AdminPrefix}/service-principals",
            new { display_name = $"load-driver-{DateTime.UtcNow:HHmmss}", roles = new[] { BuiltInRoles.BasicUser }, owners = Array.Empty<string>() }, ct);
        return principal["id"]!.GetValue<string>();
    }

    /// <summary>Creates a trust on the dev issuer's provider; returns its client id.</summary>
    public async Task<string> CreateTrustAsync(string principalId, CancellationToken ct)
    {
        var providers = await SendAsync(HttpMethod.Get, $"{EndpointPaths.AdminPrefix}/providers", null, ct);
        // Several silos of one cluster in dev mode each have a dev issuer: take the one of the silo driven, whose
        // tokens the driver mints.
        var devProviders = providers["providers"]!.AsArray()
            .Where(p => p!["development_issuer"]?.GetValue<bool>() == true)
            .ToList();
        var devProvider = devProviders.FirstOrDefault(p => p!["issuer_url"]?.GetValue<string>()
                ?.StartsWith(options.Server.ToString().TrimEnd('/') + "/", StringComparison.Ordinal) == true)
            ?? devProviders.FirstOrDefault()
            ?? throw new InvalidOperationException("the node has no development-issuer provider: start it with --dev");
        var trust = await SendAsync(HttpMethod.Post, $"{EndpointPaths.AdminPrefix}/service-principals/{principalId}/trusts",
            new
            {
                display_name = "load-driver",
                provider_id = devProvider["id"]!.GetValue<string>(),
                condition = Condition,
                ip_allowlist = Array.Empty<string>(),
                scoped_roles = Array.Empty<string>(),
                enabled = true,
            }, ct);
        return trust["client_id"]!.GetValue<string>();
    }

    /// <summary>
    /// The peers' scenario (peers/README.md "The scenario contract"): a provider for the peers' loopback RS256 issuer
    /// (keys from its discovery document), a trust with audience <c>wif-bench</c>, the same condition, 900 s tokens.
    /// The harness mints its tokens once, so the provider accepts tokens up to an hour old.
    /// </summary>
    public async Task<string> CreatePeerTrustAsync(string principalId, Uri issuer, CancellationToken ct)
    {
        var provider = await SendAsync(HttpMethod.Post, $"{EndpointPaths.AdminPrefix}/providers",
            new
            {
                display_name = "peers-issuer",
                preset = "custom",
                issuer_url = issuer.ToString().TrimEnd('/'),
                allowed_algorithms = new[] { "RS256" },
                max_token_age_seconds = 3600,
                development_issuer = true,
            }, ct);
        var trust = await SendAsync(HttpMethod.Post, $"{EndpointPaths.AdminPrefix}/service-principals/{principalId}/trusts",
            new
            {
                display_name = "peers-exchange",
                provider_id = provider["id"]!.GetValue<string>(),
                condition = Condition,
                audience = "wif-bench",
                ip_allowlist = Array.Empty<string>(),
                scoped_roles = Array.Empty<string>(),
                enabled = true,
                token_lifetime_seconds = 900,
            }, ct);
        return trust["client_id"]!.GetValue<string>();
    }

    /// <summary>
    /// The token decisions (<c>token.*</c> events) of <paramref name="clientId"/> in the tenant's audit log, paging
    /// through the admin API with the cursors it returns. Every scenario uses a client id of its own.
    /// </summary>
    public async Task<long> CountDecisionsAsync(string clientId, CancellationToken ct)
    {
        long count = 0;
        string? cursor = null;
        while (true)
        {
            var path = $"{EndpointPaths.AdminPrefix}/audit-events?limit=500" + (cursor is null ? string.Empty : "&after=" + Uri.EscapeDataString(cursor));
            var page = await SendAsync(HttpMethod.Get, path, null, ct);
            foreach (var e in page["events"]!.AsArray())
            {
                if (e!["type"]!.GetValue<string>().StartsWith("token.", StringComparison.Ordinal) && e["client_id"]?.GetValue<string>() == clientId)
                {
                    count++;
                }
            }

            if (page["next"] is not { } next)
            {
                return count;
            }

            cursor = next.GetValue<string>();
        }
    }

    /// <summary>Creates a client credential; returns its client id and secret.</summary>
    public async Task<(string ClientId, string Secret)> CreateCredentialAsync(string principalId, CancellationToken ct)
    {
        var credential = await SendAsync(HttpMethod.Post, $"{EndpointPaths.AdminPrefix}/service-principals/{principalId}/credentials",
            new { display_name = "load-driver", expires_in_days = 1, ip_allowlist = Array.Empty<string>(), scoped_roles = Array.Empty<string>() }, ct);
        return (credential["client_id"]!.GetValue<string>(), credential["client_secret"]!.GetValue<string>());
    }

    /// <summary>Mints <paramref name="count"/> distinct GitHub-Actions-shaped tokens from the dev issuer.</summary>
    public async Task<string[]> MintSubjectTokensAsync(string tenant, int count, CancellationToken ct)
    {
        var tokens = new string[count];
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(8, count)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var body = new
                {
                    audience = tenant,
                    preset = "github-actions",
                    lifetime_seconds = 3600,
                    claims = new Dictionary<string, object>
                    {
                        ["sub"] = $"repo:acme/infra:environment:production:run-{i}",
                        ["repository"] = "acme/infra",
                        ["environment"] = "production",
                        ["run_id"] = (1_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    },
                };
                var response = await SendAsync(HttpMethod.Post, EndpointPaths.DevOidcToken, body, ct);
                tokens[i] = (response["access_token"] ?? response["token"] ?? response["id_token"])!.GetValue<string>();
            }
        });
        await Task.WhenAll(workers);
        return tokens;
    }

    private async Task<string> PostTokenAsync(IEnumerable<KeyValuePair<string, string>> form, CancellationToken ct)
    {
        using var response = await http.PostAsync(EndpointPaths.Token, new FormUrlEncodedContent(form), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"admin login failed: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!["access_token"]!.GetValue<string>();
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} failed: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!;
    }
}
