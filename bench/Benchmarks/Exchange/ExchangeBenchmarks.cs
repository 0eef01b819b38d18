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
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;

namespace WorkloadFederation.Benchmarks.Exchange;

/// <summary>
/// One whole in-process token exchange (strict parse, RS256 verify, claims checks, CEL condition,
/// ES256 sign, audit record) against the raw cryptography it cannot avoid — one RSA-2048 verify plus one P-256 sign —
/// measured in the same run. Target: the exchange within 1.3× of the raw cost.
/// Run: <c>dotnet run -c Release --project bench/Benchmarks -- --filter '*ExchangeBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class ExchangeBenchmarks
{
    private const string Tenant = "acme.example.com";
    private const string IssuerUrl = "https://token.actions.githubusercontent.com";
    private const string ClientId = "swift-otter-19384@acme.example.com/wfe";

    private RSA _issuerKey = null!;
    private ECDsa _signingKey = null!;
    private byte[] _signingInput = null!;
    private byte[] _rsaSignature = null!;
    private TokenExchangeHandler _handler = null!;
    private TokenExchangeRequest _request = null!;
    private AccessTokenIssuer _issuer = null!;
    private SigningKeyRing _ring = null!;
    private CompiledCondition _condition = null!;
    private System.Text.Json.JsonDocument _claims = null!;
    private string _token = null!;
    private AccessTokenDescriptor _descriptor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _issuerKey = RSA.Create(2048);
        _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
        var payload = Encode(
            $$"""{"iss":"{{IssuerUrl}}","aud":"{{Tenant}}","sub":"repo:octo-org/octo-repo:ref:refs/heads/main","repository":"octo-org/octo-repo","ref":"refs/heads/main","ref_protected":"true","event_name":"push","repository_owner":"octo-org","workflow":"deploy","run_id":"11283849201","iat":{{now}},"nbf":{{now}},"exp":{{now + 540}},"jti":"5b8f7d2a-1c3e-4f60-9a8b-7c6d5e4f3a21"}""");
        _signingInput = Encoding.ASCII.GetBytes(header + "." + payload);
        _rsaSignature = _issuerKey.SignData(_signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var token = header + "." + payload + "." + Base64Url.EncodeToString(_rsaSignature);

        var kek = new KeyEncryption(KeyEncryption.GenerateKey());
        var compiler = new SnapshotCompiler(CelTrustConditionCompiler.Instance, kek, TimeProvider.System);
        var created = DateTimeOffset.UtcNow.AddDays(-1);
        var state = new StoreState(
            1,
            [new Tenant(Tenant, created)],
            [new Provider("p1", Tenant, "GitHub", "github-actions", IssuerUrl, null, ["RS256"], 600, false, created, created)],
            [new ServicePrincipal("sp1", Tenant, "deployer", ["deploy", "read"], [], true, created, created)],
            [],
            [new Trust("t1", Tenant, "sp1", "p1", ClientId, "deploy",
                "claims.repository == 'octo-org/octo-repo' && claims.ref == 'refs/heads/main' && claims.ref_protected == 'true'",
                Tenant, [], ["deploy"], true, 1800, created, created)],
            [SigningKeyRing.CreateKey(kek, created)],
            []);
        var holder = new SnapshotHolder(compiler.Empty());
        holder.Publish(compiler.Build(state));

        var keys = new StaticKeyCache(new RsaVerificationKey("k1", null, _issuerKey.ExportParameters(false), 2048));
        var steps = new ExchangeSteps(keys, new ExchangeOptions());
        var issuer = new AccessTokenIssuer(new IssuedTokenOptions { Issuer = "https://{tenant}" }, TimeProvider.System);
        _handler = new TokenExchangeHandler(holder, steps, issuer, new NullAuditSink(), TimeProvider.System, NullLogger<TokenExchangeHandler>.Instance);
        _request = new TokenExchangeRequest(ClientId, token, TokenTypes.Jwt, IPAddress.Loopback);
        _token = token;
        _issuer = issuer;
        _ring = holder.Current.SigningKeys;
        holder.Current.TryGetTrustByClientId(ClientId, out var compiled);
        _condition = compiled.Condition;
        _claims = System.Text.Json.JsonDocument.Parse(Base64Url.DecodeFromChars(payload));
        _descriptor = new AccessTokenDescriptor(Tenant, "sp1", ClientId, ["deploy"], AuthenticationMethods.Federation,
            TimeSpan.FromSeconds(1800), TrustId: "t1", SubjectIssuer: IssuerUrl, SubjectSubject: "repo:octo-org/octo-repo:ref:refs/heads/main");

        var check = Exchange();
        if (!check.Success)
        {
            throw new InvalidOperationException("benchmark exchange was refused: " + check);
        }
    }

    /// <summary>The unavoidable cryptography: verify the subject token (RSA-2048) and sign the access token (P-256).</summary>
    [Benchmark(Baseline = true)]
    public byte[] RawRsaVerifyPlusP256Sign()
    {
        if (!_issuerKey.VerifyData(_signingInput, _rsaSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            throw new InvalidOperationException("raw verify failed");
        }

        return _signingKey.SignData(_signingInput, HashAlgorithmName.SHA256);
    }

    /// <summary>One whole exchange through <see cref="TokenExchangeHandler"/>.</summary>
    [Benchmark]
    public GrantResult Exchange() => _handler.HandleAsync(_request, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <summary>Stage: strict parse of the subject token (no verification).</summary>
    [Benchmark]
    public bool StageParse() => JwsCompact.TryParse(_token, JwtReadLimits.Default, out _, out _);

    /// <summary>Stage: the trust's CEL condition on the claims (including the JSON → CEL conversion).</summary>
    [Benchmark]
    public ConditionEvaluation StageCondition() => _condition.Evaluate(_claims.RootElement);

    /// <summary>Stage: writing and signing the access token (ES256).</summary>
    [Benchmark]
    public bool StageIssue() => _issuer.TryIssue(_ring, _descriptor, out _);

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>
    /// In-process (the assembly name differs from the project file name, which the out-of-process toolchain cannot
    /// resolve); a bounded job for the shared CPUs.
    /// </summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(5)
                .WithIterationCount(20));
    }
}

/// <summary>One provider key for every lookup: the benchmarks measure the grant, not the key cache.</summary>
internal sealed class StaticKeyCache(VerificationKey key) : IProviderKeyCache
{
    public ValueTask<ProviderKeyResult> ResolveAsync(ProviderKeySource source, string? kid, string alg, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProviderKeyResult.Found(key));

    public void Prefetch(ProviderKeySource source)
    {
    }

    public void Invalidate(string providerId)
    {
    }

    public ProviderKeyState? GetState(string providerId) => null;

    public Task RefreshDueAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>An audit sink that keeps nothing: the benchmarks measure the grant, not the audit writer.</summary>
internal sealed class NullAuditSink : IAuditSink
{
    public void Record(AuditEvent auditEvent)
    {
    }
}
