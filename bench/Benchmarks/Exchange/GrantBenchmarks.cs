using Base64Url = System.Buffers.Text.Base64Url;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.ClientCredentials;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Benchmarks.Exchange;

/// <summary>
/// Both grants end to end in process (no HTTP): a token exchange (RS256 subject token, CEL condition, ES256 access
/// token) and a client credentials grant (EdDSA assertion, replay mark in memory). The before/after comparison of the
/// one-pipeline refactor ran against a frozen copy of the old handlers; see bench/README.md for the commit that has it.
/// Run: <c>dotnet run -c Release --project bench/Benchmarks -- --filter '*GrantBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class GrantBenchmarks
{
    private const string Tenant = "acme.example.com";
    private const string IssuerUrl = "https://token.actions.githubusercontent.com";
    private const string TrustClientId = "swift-otter-19384@acme.example.com/wfe";
    private const string CredentialClientId = "quiet-heron-55120@acme.example.com/spc";

    private TokenExchangeHandler _exchange = null!;
    private ClientCredentialsHandler _clientCredentials = null!;
    private TokenExchangeRequest _exchangeRequest = null!;
    private ClientCredentialsRequest _request = null!;
    private RSA _issuerKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        _issuerKey = RSA.Create(2048);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
        var payload = Encode(
            $$"""{"iss":"{{IssuerUrl}}","aud":"{{Tenant}}","sub":"repo:octo-org/octo-repo:ref:refs/heads/main","repository":"octo-org/octo-repo","ref":"refs/heads/main","ref_protected":"true","event_name":"push","iat":{{now}},"nbf":{{now}},"exp":{{now + 540}},"jti":"5b8f7d2a-1c3e-4f60-9a8b-7c6d5e4f3a21"}""");
        var input = Encoding.ASCII.GetBytes(header + "." + payload);
        var subjectToken = header + "." + payload + "." + Base64Url.EncodeToString(_issuerKey.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        var credentialKey = Ed25519Keys.Generate();
        var assertionHeader = Encode("{\"alg\":\"EdDSA\",\"kid\":\"c1\",\"typ\":\"JWT\"}");
        var assertionPayload = Encode(
            $$"""{"iss":"{{CredentialClientId}}","sub":"{{CredentialClientId}}","aud":"{{Tenant}}","iat":{{now}},"exp":{{now + 240}},"jti":"7e0c5d1a-2b3c-4d5e-8f90-a1b2c3d4e5f6"}""");
        var assertionInput = Encoding.ASCII.GetBytes(assertionHeader + "." + assertionPayload);
        var assertion = assertionHeader + "." + assertionPayload + "." + Base64Url.EncodeToString(Ed25519Keys.Sign(credentialKey.PrivateKey, assertionInput));

        var kek = new KeyEncryption(KeyEncryption.GenerateKey());
        var compiler = new SnapshotCompiler(CelTrustConditionCompiler.Instance, kek, TimeProvider.System);
        var created = DateTimeOffset.UtcNow.AddDays(-1);
        var state = new StoreState(
            1,
            [new Tenant(Tenant, created)],
            [new Provider("p1", Tenant, "GitHub", "github-actions", IssuerUrl, null, ["RS256"], 600, false, created, created)],
            [new ServicePrincipal("sp1", Tenant, "deployer", ["deploy", "read"], [], true, created, created)],
            [new Credential("c1", Tenant, "sp1", CredentialClientId, "ci", credentialKey.PublicKey, created.AddDays(30), [], ["read"], null, created, created)],
            [new Trust("t1", Tenant, "sp1", "p1", TrustClientId, "deploy",
                "claims.repository == 'octo-org/octo-repo' && claims.ref == 'refs/heads/main' && claims.ref_protected == 'true'",
                Tenant, [], ["deploy"], true, 1800, created, created)],
            [SigningKeyRing.CreateKey(kek, created)],
            []);
        var holder = new SnapshotHolder(compiler.Empty());
        holder.Publish(compiler.Build(state));

        var keys = new StaticKeyCache(new RsaVerificationKey("k1", null, _issuerKey.ExportParameters(false), 2048));
        var issuer = new AccessTokenIssuer(new IssuedTokenOptions { Issuer = "https://{tenant}" }, TimeProvider.System);
        var audit = new NullAuditSink();
        var replay = new AlwaysFirstReplayStore();

        _exchange = new TokenExchangeHandler(holder, new ExchangeSteps(keys, new ExchangeOptions()), issuer, audit, TimeProvider.System, NullLogger<TokenExchangeHandler>.Instance);
        _clientCredentials = new ClientCredentialsHandler(holder, replay, issuer, audit, new ClientCredentialsOptions(), TimeProvider.System, NullLogger<ClientCredentialsHandler>.Instance);
        _exchangeRequest = new TokenExchangeRequest(TrustClientId, subjectToken, TokenTypes.Jwt, IPAddress.Loopback);
        _request = new ClientCredentialsRequest(CredentialClientId, ClientAssertionTypes.JwtBearer, assertion, null, IPAddress.Loopback);

        foreach (var check in new[] { Exchange(), ClientCredentials() })
        {
            if (!check.Success)
            {
                throw new InvalidOperationException("a benchmark grant was refused: " + check);
            }
        }
    }

    /// <summary>Token exchange.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("exchange")]
    public GrantResult Exchange() => _exchange.HandleAsync(_exchangeRequest, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <summary>Client credentials with an EdDSA assertion.</summary>
    [Benchmark]
    [BenchmarkCategory("client_credentials")]
    public GrantResult ClientCredentials() => _clientCredentials.HandleAsync(_request, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _issuerKey.Dispose();

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>In process (see bench/README.md), bounded for the shared CPUs.</summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(5)
                .WithIterationCount(30));
            // The median resists the load spikes of a shared machine better than the mean.
            AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        }
    }

    private sealed class NullAuditSink : IAuditSink
    {
        public void Record(AuditEvent auditEvent)
        {
        }
    }

    /// <summary>Every assertion is new: the benchmark measures the grant, not a replay store.</summary>
    private sealed class AlwaysFirstReplayStore : IReplayStore
    {
        public Task<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
