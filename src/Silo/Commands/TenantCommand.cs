using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Bootstrap;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Silo.Hosting;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Storage;

namespace WorkloadFederation.Silo.Commands;

/// <summary>
/// <c>tenant create &lt;domain&gt;</c>: creates a tenant and its first Super Admin on the configured store, printing the
/// client id and secret once (they are not written anywhere else).
/// </summary>
public static class TenantCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(NodeCommandLine commandLine, TextWriter output, TextWriter error)
    {
        var domain = commandLine.TenantDomain ?? string.Empty;
        if (!TenantDomain.IsValid(domain))
        {
            await error.WriteLineAsync("error: the tenant must be a lower-case DNS host name such as 'acme.example.com'.");
            return NodeProgram.ExitUsage;
        }

        var settings = LoadSettings(commandLine, requireKeyEncryptionKey: false);
        var time = TimeProvider.System;
        await using var store = OpenStore(settings, time);
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

    /// <summary>The node's settings for a one-shot command: environment, command line, node switches.</summary>
    internal static NodeSettings LoadSettings(NodeCommandLine commandLine, bool requireKeyEncryptionKey = true) =>
        NodeHost.LoadSettings(new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(commandLine.HostArgs)
            .AddInMemoryCollection(commandLine.Settings)
            .Build(), requireKeyEncryptionKey);

    /// <summary>The configured store (a one-shot command's own instance).</summary>
    internal static IFederationStore OpenStore(NodeSettings settings, TimeProvider time)
    {
        if (settings.Store.Provider == StoreOptions.Postgres)
        {
            return StoreFactory.CreatePostgres(settings.Store.ConnectionString!, time, NullLoggerFactory.Instance);
        }

        DataDirectory.Ensure(settings.Node.DataDirFullPath);
        return StoreFactory.CreateSqlite(settings.SqlitePath, time);
    }
}
