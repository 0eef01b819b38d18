using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.ClientCredentials;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.TrustTesting;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Admin.Audit;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Admin.Credentials;
using WorkloadFederation.Gateway.Admin.ServicePrincipals;
using WorkloadFederation.Gateway.Admin.Trusts;
using WorkloadFederation.Gateway.Bootstrap;
using WorkloadFederation.Gateway.DevIssuer;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Storage;

namespace WorkloadFederation.Gateway.Hosting;

/// <summary>Wires the store, the snapshot and the federation services of the other layers into the node.</summary>
internal static class NodeComposition
{
    /// <summary>Registers the store, snapshot, grant handlers, audit, provider keys and start-up services.</summary>
    public static void AddFederation(IServiceCollection services, NodeSettings settings)
    {
        var kek = DataDirectory.LoadOrCreateKek(settings.Keys, settings.Node.DataDirFullPath);
        services.AddSingleton(new KeyEncryption(kek));
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(kek);

        services.AddSingleton<IFederationStore>(sp => settings.Store.Provider == StoreOptions.Postgres
            ? StoreFactory.CreatePostgres(settings.Store.ConnectionString!, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>())
            : CreateSqlite(settings, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IConfigurationStore>(sp => sp.GetRequiredService<IFederationStore>());
        services.AddSingleton<IReplayStore>(sp => sp.GetRequiredService<IFederationStore>());
        services.AddSingleton<IReplayGuard, StoreReplayGuard>();
        services.AddSingleton<IAuditStore>(sp => sp.GetRequiredService<IFederationStore>());

        services.AddSingleton(new IssuedTokenOptions { Issuer = settings.Tokens.Issuer });
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<AccessTokenValidator>();
        services.AddSingleton<SigningKeyManager>();
        services.AddSingleton<ITrustConditionCompiler>(CelTrustConditionCompiler.Instance);
        services.AddSingleton<SnapshotCompiler>();
        services.AddSingleton(sp => new SnapshotHolder(sp.GetRequiredService<SnapshotCompiler>().Empty()));
        services.AddSingleton(new ChangeFeedOptions());
        services.AddSingleton<ChangeFeedFollower>();

        services.AddSingleton(settings.Audit);
        services.AddSingleton<AuditWriter>();
        services.AddSingleton<IAuditBackPressure>(sp => sp.GetRequiredService<AuditWriter>());
        services.AddSingleton<IAuditSink, TenantScopedAuditSink>();
        services.AddSingleton(ProviderKeyOptions.Default);
        // One registration only: the container disposes a factory-made singleton once per registration.
        services.AddSingleton<IProviderKeyCache, ProviderKeyCache>();

        services.AddSingleton(new ExchangeOptions());
        services.AddSingleton<ExchangeSteps>();
        services.AddSingleton<TokenExchangeHandler>();
        services.AddSingleton(new ClientCredentialsOptions
        {
            TokenLifetime = TimeSpan.FromSeconds(settings.Tokens.ClientCredentialsLifetimeSeconds),
            PublicTokenEndpointUrls = settings.Tenancy.PublicTokenEndpointUrls(),
        });
        services.AddSingleton<ClientCredentialsHandler>();
        services.AddSingleton<TrustTestRunner>();

        services.AddSingleton<AdminEnvironment>();
        services.AddSingleton<AdminAuthentication>();
        services.AddSingleton<DevIssuerProvisioning>();
        if (settings.Node.Dev)
        {
            services.AddDevIssuer();
        }

        services.AddHostedService<NodeStartup>();
        services.AddHostedService<AuditWriterService>();
        // Registered after the audit writer, so it stops first and its last summaries are still flushed.
        services.AddHostedService<RateLimiting.RateLimitAuditService>();
        services.AddHostedService<ProviderKeyRefreshService>();
        services.AddHostedService<ReplayPurgeService>();
    }

    /// <summary>Maps the token, discovery, introspection, admin and (dev mode) dev issuer endpoints.</summary>
    public static void MapFederation(WebApplication app)
    {
        if (app.Services.GetRequiredService<NodeSettings>().Node.Dev)
        {
            app.MapDevIssuer();
        }

        var api = app.MapGroup(EndpointPaths.AdminPrefix)
            .AddEndpointFilter<AdminAuthentication>();
        foreach (var status in new[] { StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict })
        {
            api.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(Problems.ProblemResults.ProblemBody), [Problems.ProblemResults.ContentType]));
        }
        Admin.Providers.ProviderEndpoints.Map(api);
        ServicePrincipalEndpoints.Map(api);
        CredentialEndpoints.Map(api);
        TrustEndpoints.Map(api);
        AuditEndpoints.Map(api);
        Admin.SigningKeys.SigningKeyEndpoints.Map(api);
        Endpoints.Token.TokenEndpoint.Map(app);
        Endpoints.Discovery.DiscoveryEndpoints.Map(app);
        Endpoints.Introspection.IntrospectionEndpoints.Map(app);
    }

    private static IFederationStore CreateSqlite(NodeSettings settings, TimeProvider time)
    {
        DataDirectory.Ensure(settings.Node.DataDirFullPath);
        return StoreFactory.CreateSqlite(settings.SqlitePath, time);
    }
}
