using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.DevIssuer;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Telemetry;

namespace WorkloadFederation.Gateway.Bootstrap;

/// <summary>
/// Dev mode: gives the dev tenant a provider for the node's development OIDC issuer (<c>/dev/oidc</c> on the loopback
/// listening address), marked as a development issuer, so the whole exchange runs on a laptop.
/// </summary>
internal sealed partial class DevIssuerProvisioning(
    IServer server,
    IConfigurationStore store,
    SnapshotHolder snapshots,
    ChangeFeedFollower follower,
    NodeSettings settings,
    TimeProvider time,
    ILogger<DevIssuerProvisioning> logger)
{
    public const string DisplayName = "Development issuer";
    public const string CustomPreset = "custom";
    public const int MaxTokenAgeSeconds = 600;

    /// <summary>The dev issuer URL of this node, e.g. <c>http://127.0.0.1:5080/dev/oidc</c>; null when not on loopback http.</summary>
    public string? IssuerUrl
    {
        get
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            return DevIssuerGuard.IssuerFor(addresses);
        }
    }

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var tenant = settings.Tenancy.DefaultTenant;
        var issuer = IssuerUrl;
        if (issuer is null || !snapshots.Current.TryGetTenant(tenant, out _))
        {
            return;
        }

        if (snapshots.Current.GetProviders(tenant).Any(p => p.DevelopmentIssuer && p.IssuerUrl == issuer))
        {
            return;
        }

        var now = time.GetUtcNow();
        var provider = new Provider(
            AdminIds.New(AdminIds.Provider), tenant, DisplayName, CustomPreset, issuer, JwksUri: null,
            ["RS256", "ES256", "EdDSA"], MaxTokenAgeSeconds, DevelopmentIssuer: true, now, now);
        var version = await store.SaveProviderAsync(provider, cancellationToken);
        await follower.CatchUpAsync(version, cancellationToken);
        Log.Created(logger, provider.Id, issuer);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.DevIssuerProviderCreated, Level = LogLevel.Information,
            Message = "Dev mode: created provider {ProviderId} for the development issuer {Issuer}")]
        public static partial void Created(ILogger logger, string providerId, string issuer);
    }
}
