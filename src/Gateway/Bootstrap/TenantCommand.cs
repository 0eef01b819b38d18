using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Storage;

namespace WorkloadFederation.Gateway.Bootstrap;

/// <summary>
/// <c>tenant create &lt;domain&gt;</c>: creates a tenant and its first Super Admin on the configured store, printing the
/// client id and secret once (they are not written anywhere else).
/// </summary>
public static class TenantCommand
{
    public static async Task<int> RunAsync(NodeCommandLine commandLine, TextWriter output, TextWriter error)
    {
        var domain = commandLine.TenantDomain ?? string.Empty;
        if (!TenantDomain.IsValid(domain))
        {
            await error.WriteLineAsync("error: the tenant must be a lower-case DNS host name such as 'acme.example.com'.");
            return NodeProgram.ExitUsage;
        }

        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(commandLine.HostArgs)
            .AddInMemoryCollection(commandLine.Settings)
            .Build();
        var settings = NodeHost.LoadSettings(configuration);
        var time = TimeProvider.System;
        await using IFederationStore store = settings.Store.Provider == StoreOptions.Postgres
            ? StoreFactory.CreatePostgres(settings.Store.ConnectionString!, time, NullLoggerFactory.Instance)
            : CreateSqlite(settings, time);
        await store.MigrateAsync(CancellationToken.None);
        try
        {
            var created = await TenantProvisioner.CreateAsync(store, domain, time.GetUtcNow(), CancellationToken.None);
            await output.WriteLineAsync($"Created tenant '{domain}' and its first Super Admin. The secret is shown only now:");
            await output.WriteLineAsync($"client_id:     {created.Admin.ClientId}");
            await output.WriteLineAsync($"client_secret: {created.Admin.ClientSecret}");
            return NodeProgram.ExitOk;
        }
        catch (StoreConflictException)
        {
            await error.WriteLineAsync($"error: tenant '{domain}' already exists.");
            return NodeProgram.ExitFailure;
        }
    }

    private static IFederationStore CreateSqlite(NodeSettings settings, TimeProvider time)
    {
        DataDirectory.Ensure(settings.Node.DataDirFullPath);
        return StoreFactory.CreateSqlite(settings.SqlitePath, time);
    }
}
