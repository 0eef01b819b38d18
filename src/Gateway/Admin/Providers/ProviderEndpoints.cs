using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Federation.Providers;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Providers;

/// <summary><c>/api/v1/provider-presets</c> and <c>/api/v1/providers</c> (API.md).</summary>
internal static class ProviderEndpoints
{
    public const string ObjectKind = "provider";
    public const int DefaultMaxTokenAgeSeconds = 600;
    public const int MinMaxTokenAgeSeconds = 30;
    public const int MaxMaxTokenAgeSeconds = 3600;

    private static readonly string[] ImmutableFields = ["preset", "id", "created_at", "development_issuer"];

    /// <summary>Maps the provider preset and provider endpoints.</summary>
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/provider-presets", Presets).WithTags("Providers").Produces<ProviderPresetListDto>();
        var group = api.MapGroup("/providers").WithTags("Providers");
        group.MapPost("/", CreateAsync).WithWireBody<CreateProviderRequest>().Produces<ProviderDto>(StatusCodes.Status201Created);
        group.MapGet("/", List).Produces<ProviderListDto>();
        group.MapGet("/{id}", Get).Produces<ProviderDto>();
        group.MapPatch("/{id}", UpdateAsync).WithWireBody<UpdateProviderRequest>().Produces<ProviderDto>();
        group.MapDelete("/{id}", DeleteAsync).Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>The wire shape of a provider.</summary>
    public static ProviderDto ToDto(Provider p) =>
        new(p.Id, p.DisplayName, p.Preset, p.IssuerUrl, p.JwksUri, p.AllowedAlgorithms, p.MaxTokenAgeSeconds, p.DevelopmentIssuer, p.CreatedAt, p.UpdatedAt);

    private static IResult Presets(HttpContext http)
    {
        var caller = AdminEnvironment.Caller(http);
        return AdminPolicy.CanReadConfiguration(caller)
            ? Results.Json(ProviderPresets.ToListDto(), WireJson.Options)
            : AdminError.Forbidden("Listing provider presets needs a read role.").ToResult();
    }

    private static async Task<IResult> CreateAsync(HttpContext http, AdminEnvironment env, IProviderKeyCache keys, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!AdminPolicy.CanWriteConfiguration(caller))
        {
            return AdminError.Forbidden("Creating a provider needs the Super Admin role.").ToResult();
        }

        var body = await JsonBodyReader.ReadAsync<CreateProviderRequest>(http.Request, env.Limits, ["id", "created_at"], ct);
        if (body.Error is { } bodyError)
        {
            return bodyError.ToResult();
        }

        var request = body.Value!;
        if (AdminValidation.DisplayName(request.DisplayName) is { } nameError)
        {
            return nameError.ToResult();
        }

        if (request.Preset is null)
        {
            return AdminError.Required("preset").ToResult();
        }

        if (!ProviderPresets.TryGet(request.Preset, out var preset))
        {
            return AdminError.Validation(ProblemCodes.UnknownPreset, "preset",
                $"'preset' must be one of: {string.Join(", ", ProviderPresets.All.Select(p => p.Id))}.").ToResult();
        }

        var dev = env.Settings.Node.Dev;
        var issuer = request.IssuerUrl ?? preset.IssuerUrl;
        var error = IssuerForPreset(preset, request.IssuerUrl)
            ?? AdminValidation.ProviderUrl(issuer, "issuer_url", dev, required: true)
            ?? AdminValidation.ProviderUrl(request.JwksUri, "jwks_uri", dev, required: false)
            ?? ValidateAlgorithms(request.AllowedAlgorithms)
            ?? ValidateMaxAge(request.MaxTokenAgeSeconds);
        if (error is not null)
        {
            return error.ToResult();
        }

        var isLoopbackHttp = IsHttp(issuer!) || (request.JwksUri is not null && IsHttp(request.JwksUri));
        if (request.DevelopmentIssuer == true && !dev)
        {
            return AdminError.Validation(ProblemCodes.ValidationFailed, "development_issuer",
                "'development_issuer' can only be set on a node running in dev mode.").ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        if (CountLimits.Provider(env.Snapshot, env.Limits, caller.Tenant) is { } countError)
        {
            return countError.ToResult();
        }

        var now = env.Now;
        var provider = new Provider(
            AdminIds.New(AdminIds.Provider), caller.Tenant, request.DisplayName!.Trim(), preset.Id, issuer!, request.JwksUri,
            [.. request.AllowedAlgorithms ?? preset.DefaultAlgorithms], request.MaxTokenAgeSeconds ?? DefaultMaxTokenAgeSeconds,
            DevelopmentIssuer: dev && (request.DevelopmentIssuer == true || isLoopbackHttp), now, now);
        if (await env.WriteAsync(c => env.Store.SaveProviderAsync(provider, c), "provider", ct) is { } writeError)
        {
            return writeError.ToResult();
        }

        // Warm the JWKS cache off the request path so that the first exchange does not wait for discovery.
        keys.Prefetch(ProviderKeySource.FromProvider(provider));
        env.Audit(http, ObjectKind, "create", provider.Id);
        return Results.Json(ToDto(provider), WireJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static IResult List(HttpContext http, AdminEnvironment env)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!AdminPolicy.CanReadConfiguration(caller))
        {
            return AdminError.Forbidden("Listing providers needs a read role.").ToResult();
        }

        return Results.Json(new ProviderListDto([.. env.Snapshot.GetProviders(caller.Tenant).Select(ToDto)]), WireJson.Options);
    }

    private static IResult Get(string id, HttpContext http, AdminEnvironment env)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!AdminValidation.IsPlausibleId(id) || !env.Snapshot.TryGetProvider(caller.Tenant, id, out var provider))
        {
            return AdminError.NotFound("provider").ToResult();
        }

        return AdminPolicy.CanReadConfiguration(caller)
            ? Results.Json(ToDto(provider), WireJson.Options)
            : AdminError.Forbidden("Reading a provider needs a read role.").ToResult();
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, AdminEnvironment env, IProviderKeyCache keys, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!AdminValidation.IsPlausibleId(id) || !env.Snapshot.TryGetProvider(caller.Tenant, id, out var provider))
        {
            return AdminError.NotFound("provider").ToResult();
        }

        if (!AdminPolicy.CanWriteConfiguration(caller))
        {
            return AdminError.Forbidden("Changing a provider needs the Super Admin role.").ToResult();
        }

        var body = await JsonBodyReader.ReadAsync<UpdateProviderRequest>(http.Request, env.Limits, ImmutableFields, ct);
        if (body.Error is { } bodyError)
        {
            return bodyError.ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        if (!env.Snapshot.TryGetProvider(caller.Tenant, id, out provider))
        {
            return AdminError.NotFound("provider").ToResult();
        }

        var request = body.Value!;
        ProviderPresets.TryGet(provider.Preset, out var preset);
        var dev = env.Settings.Node.Dev;
        var error = AdminValidation.DisplayName(request.DisplayName, required: false)
            ?? (request.IssuerUrl is null ? null : IssuerForPreset(preset, request.IssuerUrl))
            ?? AdminValidation.ProviderUrl(request.IssuerUrl, "issuer_url", dev, required: false)
            ?? AdminValidation.ProviderUrl(request.JwksUri, "jwks_uri", dev, required: false)
            ?? ValidateAlgorithms(request.AllowedAlgorithms)
            ?? ValidateMaxAge(request.MaxTokenAgeSeconds);
        if (error is not null)
        {
            return error.ToResult();
        }

        var updated = provider with
        {
            DisplayName = request.DisplayName?.Trim() ?? provider.DisplayName,
            IssuerUrl = request.IssuerUrl ?? provider.IssuerUrl,
            JwksUri = request.JwksUri ?? provider.JwksUri,
            AllowedAlgorithms = request.AllowedAlgorithms is null ? provider.AllowedAlgorithms : [.. request.AllowedAlgorithms],
            MaxTokenAgeSeconds = request.MaxTokenAgeSeconds ?? provider.MaxTokenAgeSeconds,
            DevelopmentIssuer = provider.DevelopmentIssuer
                || (dev && (IsHttp(request.IssuerUrl ?? provider.IssuerUrl) || (request.JwksUri is not null && IsHttp(request.JwksUri)))),
            UpdatedAt = env.Now,
        };
        if (await env.WriteAsync(c => env.Store.SaveProviderAsync(updated, c, expectedUpdatedAt: provider.UpdatedAt), "provider", ct) is { } writeError)
        {
            return writeError.ToResult();
        }

        keys.Invalidate(updated.Id);
        keys.Prefetch(ProviderKeySource.FromProvider(updated));
        env.Audit(http, ObjectKind, "update", updated.Id);
        return Results.Json(ToDto(updated), WireJson.Options);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, AdminEnvironment env, IProviderKeyCache keys, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!AdminValidation.IsPlausibleId(id) || !env.Snapshot.TryGetProvider(caller.Tenant, id, out var provider))
        {
            return AdminError.NotFound("provider").ToResult();
        }

        if (!AdminPolicy.CanWriteConfiguration(caller))
        {
            return AdminError.Forbidden("Deleting a provider needs the Super Admin role.").ToResult();
        }

        if (await env.WriteAsync(c => env.Store.DeleteProviderAsync(caller.Tenant, provider.Id, c), "provider", ct) is { } writeError)
        {
            return writeError.ToResult();
        }

        keys.Invalidate(provider.Id);
        env.Audit(http, ObjectKind, "delete", provider.Id);
        return Results.NoContent();
    }

    /// <summary>A preset with a fixed issuer accepts only that issuer.</summary>
    private static AdminError? IssuerForPreset(ProviderPreset preset, string? requested)
    {
        if (requested is null || preset.IssuerEditable || preset.IssuerUrl is null)
        {
            return null;
        }

        return string.Equals(requested, preset.IssuerUrl, StringComparison.Ordinal)
            ? null
            : AdminError.Validation(ProblemCodes.InvalidUrl, "issuer_url",
                $"'issuer_url' is fixed for preset '{preset.Id}': {preset.IssuerUrl}.");
    }

    private static AdminError? ValidateAlgorithms(IReadOnlyList<string>? algorithms)
    {
        if (algorithms is null)
        {
            return null;
        }

        if (algorithms.Count == 0)
        {
            return AdminError.Validation(ProblemCodes.ValidationFailed, "allowed_algorithms", "'allowed_algorithms' must not be empty.");
        }

        if (algorithms.Count > AdminValidation.MaxAlgorithms)
        {
            return AdminError.TooMany("allowed_algorithms", AdminValidation.MaxAlgorithms);
        }

        for (var i = 0; i < algorithms.Count; i++)
        {
            if (!JwtAlgorithms.IsSupported(algorithms[i]))
            {
                return AdminError.Validation(ProblemCodes.ValidationFailed, $"allowed_algorithms[{i}]",
                    $"'allowed_algorithms[{i}]' is not an asymmetric algorithm this service verifies ({string.Join(", ", JwtAlgorithms.All)}).");
            }
        }

        return null;
    }

    private static AdminError? ValidateMaxAge(int? seconds) =>
        seconds is { } s && (s < MinMaxTokenAgeSeconds || s > MaxMaxTokenAgeSeconds)
            ? AdminError.Validation(ProblemCodes.LimitExceeded, "max_token_age_seconds",
                $"'max_token_age_seconds' must be between {MinMaxTokenAgeSeconds} and {MaxMaxTokenAgeSeconds}.",
                $"{MinMaxTokenAgeSeconds}..{MaxMaxTokenAgeSeconds}")
            : null;

    private static bool IsHttp(string url) => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
}
