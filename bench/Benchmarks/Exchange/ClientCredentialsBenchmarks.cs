using Base64Url = System.Buffers.Text.Base64Url;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.ClientCredentials;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Benchmarks.Exchange;

/// <summary>
/// One whole in-process client credentials grant (EdDSA assertion, the decision steps, replay mark in memory, ES256
/// access token); <see cref="ExchangeBenchmarks"/> measures the token exchange. The before/after comparison of the
/// one-pipeline refactor ran against a frozen copy of the old handlers: see bench/README.md for the commit that has it.
/// Run: <c>dotnet run -c Release --project bench/Benchmarks -- --filter '*ClientCredentialsBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class ClientCredentialsBenchmarks
{
    private const string Tenant = "acme.example.com";
    private const string CredentialClientId = "quiet-heron-55120@acme.example.com/spc";

    private ClientCredentialsHandler _handler = null!;
    private ClientCredentialsRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var key = Ed25519Keys.Generate();
        var header = Encode("{\"alg\":\"EdDSA\",\"kid\":\"c1\",\"typ\":\"JWT\"}");
        var payload = Encode(
            $$"""{"iss":"{{CredentialClientId}}","sub":"{{CredentialClientId}}","aud":"{{Tenant}}","iat":{{now}},"exp":{{now + 240}},"jti":"7e0c5d1a-2b3c-4d5e-8f90-a1b2c3d4e5f6"}""");
        var assertion = header + "." + payload + "." + Base64Url.EncodeToString(Ed25519Keys.Sign(key.PrivateKey, Encoding.ASCII.GetBytes(header + "." + payload)));

        var kek = new KeyEncryption(KeyEncryption.GenerateKey());
        var compiler = new SnapshotCompiler(CelTrustConditionCompiler.Instance, kek, TimeProvider.System);
        var created = DateTimeOffset.UtcNow.AddDays(-1);
        var holder = new SnapshotHolder(compiler.Empty());
        holder.Publish(compiler.Build(new StoreState(
            1,
            [new Tenant(Tenant, created)],
            [],
            [new ServicePrincipal("sp1", Tenant, "deployer", ["deploy", "read"], [], true, created, created)],
            [new Credential("c1", Tenant, "sp1", CredentialClientId, "ci", key.PublicKey, created.AddDays(30), [], ["read"], null, created, created)],
            [],
            [SigningKeyRing.CreateKey(kek, created)],
            [])));

        var issuer = new AccessTokenIssuer(new IssuedTokenOptions { Issuer = "https://{tenant}" }, TimeProvider.System);
        _handler = new ClientCredentialsHandler(holder, new AlwaysFirstReplayStore(), issuer, new NullAuditSink(), new ClientCredentialsOptions(),
            TimeProvider.System, NullLogger<ClientCredentialsHandler>.Instance);
        _request = new ClientCredentialsRequest(CredentialClientId, ClientAssertionTypes.JwtBearer, assertion, null, IPAddress.Loopback);
        if (ClientCredentials() is { Success: false } refused)
        {
            throw new InvalidOperationException("the benchmark grant was refused: " + refused);
        }
    }

    /// <summary>Client credentials with an EdDSA assertion.</summary>
    [Benchmark]
    public GrantResult ClientCredentials() => _handler.HandleAsync(_request, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>In process (see bench/README.md), bounded for the shared CPUs.</summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(30));
            // The median resists the load spikes of a shared machine better than the mean.
            AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        }
    }

    /// <summary>Every assertion is new: the benchmark measures the grant, not a replay store.</summary>
    private sealed class AlwaysFirstReplayStore : IReplayGuard
    {
        public Task<bool> TryConsumeAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) => Task.FromResult(true);
    }
}
