using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Gateway.Bootstrap;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Silo.Hosting;

namespace WorkloadFederation.Silo.Commands;

/// <summary>
/// <c>keys rotate</c>: stores a new signing key for issued tokens and retires the others, which stay published until
/// every token they signed has expired. Running nodes pick the change up through the change feed.
/// </summary>
public static class KeysCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(NodeCommandLine commandLine, TextWriter output)
    {
        var settings = TenantCommand.LoadSettings(commandLine);
        var time = TimeProvider.System;
        var kek = DataDirectory.LoadOrCreateKek(settings.Keys, settings.Node.DataDirFullPath);
        var keyEncryption = new KeyEncryption(kek);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(kek);
        await using var store = TenantCommand.OpenStore(settings, time);
        await store.MigrateAsync(CancellationToken.None);
        var snapshot = new SnapshotCompiler(CelTrustConditionCompiler.Instance, keyEncryption, time)
            .Build(await store.LoadAsync(CancellationToken.None));
        var manager = new SigningKeyManager(store, keyEncryption, new IssuedTokenOptions { Issuer = settings.Tokens.Issuer }, time,
            NullLogger<SigningKeyManager>.Instance);
        var (keyId, _) = await manager.RotateAsync(snapshot, CancellationToken.None);
        await output.WriteLineAsync($"New signing key {keyId}; previous keys stay published until the tokens they signed expire.");
        return NodeProgram.ExitOk;
    }
}
