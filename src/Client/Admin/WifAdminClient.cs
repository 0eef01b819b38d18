using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using WorkloadFederation.Client.Errors;
using WorkloadFederation.Client.Http;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Client.Admin;

/// <summary>An admin API answer: the typed body and the raw JSON (for <c>--json</c> output that loses nothing).</summary>
public sealed record AdminResult<T>(T Value, JsonElement Json);

/// <summary>
/// The admin API (<c>/api/v1</c>, API.md "Admin API"). Errors are raised as <see cref="WifApiException"/> with the
/// problem's <c>code</c>. Reads and deletes are retried on 429/5xx; creations and updates only on 429.
/// </summary>
public sealed class WifAdminClient : IDisposable
{
    private const int MaxResponseBytes = 8 * 1024 * 1024;
    private static readonly JsonSerializerOptions ReadOptions = CreateReadOptions();
    private readonly HttpClient _http;
    private readonly RetryingSender _sender;
    private readonly Uri _base;

    internal WifAdminClient(HttpClient http, RetryingSender sender, Uri serverUrl)
    {
        _http = http;
        _sender = sender;
        _base = new Uri(serverUrl, EndpointPaths.AdminPrefix.TrimStart('/') + "/");
    }

    /// <summary>GET <c>/api/v1/provider-presets</c>.</summary>
    public Task<AdminResult<ProviderPresetListDto>> ListPresetsAsync(CancellationToken ct = default) =>
        SendAsync<ProviderPresetListDto>(HttpMethod.Get, "provider-presets", null, ct);

    /// <summary>GET <c>/api/v1/providers</c>.</summary>
    public Task<AdminResult<ProviderListDto>> ListProvidersAsync(CancellationToken ct = default) =>
        SendAsync<ProviderListDto>(HttpMethod.Get, "providers", null, ct);

    /// <summary>GET <c>/api/v1/providers/{id}</c>.</summary>
    public Task<AdminResult<ProviderDto>> GetProviderAsync(string id, CancellationToken ct = default) =>
        SendAsync<ProviderDto>(HttpMethod.Get, $"providers/{Seg(id)}", null, ct);

    /// <summary>POST <c>/api/v1/providers</c>.</summary>
    public Task<AdminResult<ProviderDto>> CreateProviderAsync(CreateProviderRequest request, CancellationToken ct = default) =>
        SendAsync<ProviderDto>(HttpMethod.Post, "providers", request, ct);

    /// <summary>PATCH <c>/api/v1/providers/{id}</c>.</summary>
    public Task<AdminResult<ProviderDto>> UpdateProviderAsync(string id, UpdateProviderRequest request, CancellationToken ct = default) =>
        SendAsync<ProviderDto>(HttpMethod.Patch, $"providers/{Seg(id)}", request, ct);

    /// <summary>DELETE <c>/api/v1/providers/{id}</c>.</summary>
    public Task DeleteProviderAsync(string id, CancellationToken ct = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"providers/{Seg(id)}", null, ct);

    /// <summary>GET <c>/api/v1/service-principals</c>.</summary>
    public Task<AdminResult<ServicePrincipalListDto>> ListServicePrincipalsAsync(CancellationToken ct = default) =>
        SendAsync<ServicePrincipalListDto>(HttpMethod.Get, "service-principals", null, ct);

    /// <summary>GET <c>/api/v1/service-principals/{id}</c>.</summary>
    public Task<AdminResult<ServicePrincipalDto>> GetServicePrincipalAsync(string id, CancellationToken ct = default) =>
        SendAsync<ServicePrincipalDto>(HttpMethod.Get, $"service-principals/{Seg(id)}", null, ct);

    /// <summary>POST <c>/api/v1/service-principals</c>.</summary>
    public Task<AdminResult<ServicePrincipalDto>> CreateServicePrincipalAsync(CreateServicePrincipalRequest request, CancellationToken ct = default) =>
        SendAsync<ServicePrincipalDto>(HttpMethod.Post, "service-principals", request, ct);

    /// <summary>PATCH <c>/api/v1/service-principals/{id}</c>.</summary>
    public Task<AdminResult<ServicePrincipalDto>> UpdateServicePrincipalAsync(string id, UpdateServicePrincipalRequest request, CancellationToken ct = default) =>
        SendAsync<ServicePrincipalDto>(HttpMethod.Patch, $"service-principals/{Seg(id)}", request, ct);

    /// <summary>DELETE <c>/api/v1/service-principals/{id}</c> (removes its credentials and trusts).</summary>
    public Task DeleteServicePrincipalAsync(string id, CancellationToken ct = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"service-principals/{Seg(id)}", null, ct);

    /// <summary>GET <c>.../{sp}/credentials</c>.</summary>
    public Task<AdminResult<CredentialListDto>> ListCredentialsAsync(string sp, CancellationToken ct = default) =>
        SendAsync<CredentialListDto>(HttpMethod.Get, $"service-principals/{Seg(sp)}/credentials", null, ct);

    /// <summary>GET <c>.../{sp}/credentials/{id}</c>.</summary>
    public Task<AdminResult<CredentialDto>> GetCredentialAsync(string sp, string id, CancellationToken ct = default) =>
        SendAsync<CredentialDto>(HttpMethod.Get, $"service-principals/{Seg(sp)}/credentials/{Seg(id)}", null, ct);

    /// <summary>POST <c>.../{sp}/credentials</c>; the answer carries the client secret, this once.</summary>
    public Task<AdminResult<CredentialDto>> CreateCredentialAsync(string sp, CreateCredentialRequest request, CancellationToken ct = default) =>
        SendAsync<CredentialDto>(HttpMethod.Post, $"service-principals/{Seg(sp)}/credentials", request, ct);

    /// <summary>PATCH <c>.../{sp}/credentials/{id}</c>.</summary>
    public Task<AdminResult<CredentialDto>> UpdateCredentialAsync(string sp, string id, UpdateCredentialRequest request, CancellationToken ct = default) =>
        SendAsync<CredentialDto>(HttpMethod.Patch, $"service-principals/{Seg(sp)}/credentials/{Seg(id)}", request, ct);

    /// <summary>DELETE <c>.../{sp}/credentials/{id}</c> (revokes).</summary>
    public Task DeleteCredentialAsync(string sp, string id, CancellationToken ct = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"service-principals/{Seg(sp)}/credentials/{Seg(id)}", null, ct);

    /// <summary>GET <c>.../{sp}/trusts</c>.</summary>
    public Task<AdminResult<TrustListDto>> ListTrustsAsync(string sp, CancellationToken ct = default) =>
        SendAsync<TrustListDto>(HttpMethod.Get, $"service-principals/{Seg(sp)}/trusts", null, ct);

    /// <summary>GET <c>.../{sp}/trusts/{id}</c>.</summary>
    public Task<AdminResult<TrustDto>> GetTrustAsync(string sp, string id, CancellationToken ct = default) =>
        SendAsync<TrustDto>(HttpMethod.Get, $"service-principals/{Seg(sp)}/trusts/{Seg(id)}", null, ct);

    /// <summary>POST <c>.../{sp}/trusts</c>.</summary>
    public Task<AdminResult<TrustDto>> CreateTrustAsync(string sp, CreateTrustRequest request, CancellationToken ct = default) =>
        SendAsync<TrustDto>(HttpMethod.Post, $"service-principals/{Seg(sp)}/trusts", request, ct);

    /// <summary>PATCH <c>.../{sp}/trusts/{id}</c>.</summary>
    public Task<AdminResult<TrustDto>> UpdateTrustAsync(string sp, string id, UpdateTrustRequest request, CancellationToken ct = default) =>
        SendAsync<TrustDto>(HttpMethod.Patch, $"service-principals/{Seg(sp)}/trusts/{Seg(id)}", request, ct);

    /// <summary>DELETE <c>.../{sp}/trusts/{id}</c>.</summary>
    public Task DeleteTrustAsync(string sp, string id, CancellationToken ct = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"service-principals/{Seg(sp)}/trusts/{Seg(id)}", null, ct);

    /// <summary>POST <c>.../{sp}/trusts/{id}/test</c>: the server's test runner (no token is issued).</summary>
    public Task<AdminResult<TrustTestResultDto>> TestTrustAsync(string sp, string id, TrustTestRequest request, CancellationToken ct = default) =>
        SendAsync<TrustTestResultDto>(HttpMethod.Post, $"service-principals/{Seg(sp)}/trusts/{Seg(id)}/test", request, ct, retryServerErrors: true);

    /// <summary>GET <c>/api/v1/audit-events?after=&amp;limit=</c>.</summary>
    public Task<AdminResult<AuditEventPageDto>> ListAuditEventsAsync(string? after, int? limit, CancellationToken ct = default)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(after))
        {
            query.Add("after=" + Uri.EscapeDataString(after));
        }

        if (limit is { } l)
        {
            query.Add("limit=" + l.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return SendAsync<AuditEventPageDto>(HttpMethod.Get, "audit-events" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty), null, ct);
    }

    /// <summary>GET <c>/api/v1/roles</c>.</summary>
    public Task<AdminResult<RoleListDto>> ListRolesAsync(CancellationToken ct = default) =>
        SendAsync<RoleListDto>(HttpMethod.Get, "roles", null, ct);

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private async Task<AdminResult<T>> SendAsync<T>(HttpMethod method, string relative, object? body, CancellationToken ct, bool retryServerErrors = false)
    {
        var uri = new Uri(_base, relative);
        var idempotent = method == HttpMethod.Get || method == HttpMethod.Delete;
        using var response = await _sender.SendAsync(
            _ =>
            {
                var request = new HttpRequestMessage(method, uri);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (body is not null)
                {
                    request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), WireJson.Options), Encoding.UTF8, "application/json");
                }

                return ValueTask.FromResult(request);
            },
            retryServerErrors || idempotent,
            ct).ConfigureAwait(false);

        var (bytes, truncated) = await RetryingSender.ReadBodyAsync(response, MaxResponseBytes, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Problem(response, bytes, uri);
        }

        if (truncated)
        {
            throw new WifApiException(response.StatusCode, null, null, null, null, $"the answer of {method} {uri.AbsolutePath} exceeds {MaxResponseBytes} bytes");
        }

        if (bytes.Length == 0 || response.StatusCode == HttpStatusCode.NoContent)
        {
            using var empty = JsonDocument.Parse("{}");
            return new AdminResult<T>(typeof(T) == typeof(JsonElement) ? (T)(object)empty.RootElement.Clone() : default!, empty.RootElement.Clone());
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var json = doc.RootElement.Clone();
            var value = typeof(T) == typeof(JsonElement) ? (T)(object)json : json.Deserialize<T>(ReadOptions)!;
            return new AdminResult<T>(value, json);
        }
        catch (JsonException ex)
        {
            throw new WifApiException(response.StatusCode, null, null, null, null, $"the answer of {method} {uri.AbsolutePath} is not the expected JSON: {RetryingSender.Sanitize(ex.Message, 200)}");
        }
    }

    private static WifApiException Problem(HttpResponseMessage response, byte[] bytes, Uri uri)
    {
        string? code = null, title = null, detail = null, field = null;
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                code = Str(root, "code") ?? Str(root, "error");
                title = Str(root, "title");
                detail = Str(root, "detail") ?? Str(root, "error_description");
                field = Str(root, "field");
            }
        }
        catch (JsonException)
        {
            // Not problem+json: the status alone is reported.
        }

        var status = (int)response.StatusCode;
        var text = new StringBuilder($"HTTP {status}");
        if (code is not null)
        {
            text.Append(' ').Append(code);
        }

        if ((detail ?? title) is { } d)
        {
            text.Append(": ").Append(d);
        }

        if (field is not null)
        {
            text.Append(" (field: ").Append(field).Append(')');
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter?.Delta is { } wait)
        {
            text.Append($" (retry after {wait.TotalSeconds:0} s)");
        }

        return new WifApiException(response.StatusCode, code, title, detail, field, $"{text} [{uri.AbsolutePath}]");
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? RetryingSender.Sanitize(v.GetString()) : null;

    private static string Seg(string id) => Uri.EscapeDataString(id);

    private static JsonSerializerOptions CreateReadOptions()
    {
        // The client tolerates members it does not know (a newer server may add some); everything else is WireJson.
        var options = new JsonSerializerOptions(WireJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
