using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using WorkloadFederation.Client.Assertions;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Credentials;

namespace WorkloadFederation.Benchmarks.Ed25519;

/// <summary>
/// Ed25519 before (Portable.BouncyCastle) and after (NSec / libsodium), in one run: verify, sign an assertion's
/// signing input, derive a public key from a posted secret, the SDK's whole assertion, and the whole client-credentials
/// grant in process — the former grant through <see cref="BaselineLoader"/> (set <c>WIF_BENCH_BASELINE_DIR</c>).
/// Run: <c>dotnet run -c Release --project bench/Benchmarks -- --filter '*Ed25519Benchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BoundedInProcessConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class Ed25519Benchmarks
{
    private byte[] _seed = null!;
    private byte[] _input = null!;
    private byte[] _signature = null!;
    private Ed25519PublicKeyParameters _bouncyKey = null!;
    private PublicKey _nsecKey = null!;
    private ClientAssertionSigner _signer = null!;
    private ClientCredentialsGrantScenario _grant = null!;
    private Func<bool> _baselineWithAssertion = null!;
    private Func<bool> _baselineWithSecret = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pair = Ed25519Keys.Generate();
        _seed = pair.PrivateKey;
        const string ClientIdValue = "quiet-falcon-00042@acme.example.com/spc";
        var secret = ClientSecret.Format("acme.example.com", "cred_1", pair.PrivateKey, pair.PublicKey);
        ClientSecret.TryParse(secret, out var parsed, out _);
        _signer = new ClientAssertionSigner(parsed!, ClientIdValue, "acme.example.com", TimeSpan.FromMinutes(2), TimeProvider.System);
        var assertion = _signer.CreateAssertion();
        _input = Encoding.ASCII.GetBytes(assertion[..assertion.LastIndexOf('.')]);
        _signature = Ed25519Keys.Sign(_seed, _input);
        _bouncyKey = BouncyCastleEd25519.ParsePublicKey(pair.PublicKey);
        _nsecKey = Ed25519Keys.ParsePublicKey(pair.PublicKey)!;
        if (!BouncyCastleEd25519.Verify(_bouncyKey, _input, _signature) || !Ed25519Keys.Verify(_nsecKey, _input, _signature)
            || !BouncyCastleEd25519.Sign(_seed, _input).AsSpan().SequenceEqual(_signature))
        {
            throw new InvalidOperationException("the two implementations disagree");
        }

        _grant = new ClientCredentialsGrantScenario();
        (_baselineWithAssertion, _baselineWithSecret) = BaselineLoader.CreateScenario();
    }

    [GlobalCleanup]
    public void Cleanup() => _signer.Dispose();

    [Benchmark(Baseline = true, Description = "verify: BouncyCastle")]
    [BenchmarkCategory("verify")]
    public bool VerifyBouncyCastle() => BouncyCastleEd25519.Verify(_bouncyKey, _input, _signature);

    [Benchmark(Description = "verify: NSec")]
    [BenchmarkCategory("verify")]
    public bool VerifyNSec() => Ed25519Keys.Verify(_nsecKey, _input, _signature);

    [Benchmark(Baseline = true, Description = "sign assertion input: BouncyCastle")]
    [BenchmarkCategory("sign")]
    public byte[] SignBouncyCastle() => BouncyCastleEd25519.Sign(_seed, _input);

    [Benchmark(Description = "sign assertion input: NSec")]
    [BenchmarkCategory("sign")]
    public byte[] SignNSec() => Ed25519Keys.Sign(_seed, _input);

    [Benchmark(Description = "SDK CreateAssertion (NSec, key held)")]
    [BenchmarkCategory("sign")]
    public string SdkAssertion() => _signer.CreateAssertion();

    [Benchmark(Baseline = true, Description = "derive public key: BouncyCastle")]
    [BenchmarkCategory("derive")]
    public byte[] DeriveBouncyCastle() => BouncyCastleEd25519.DerivePublicKey(_seed);

    [Benchmark(Description = "derive public key: NSec")]
    [BenchmarkCategory("derive")]
    public byte[] DeriveNSec() => Ed25519Keys.DerivePublicKey(_seed);

    [Benchmark(Baseline = true, Description = "grant, assertion: before")]
    [BenchmarkCategory("grant-assertion")]
    public bool GrantAssertionBefore() => _baselineWithAssertion();

    [Benchmark(Description = "grant, assertion: after")]
    [BenchmarkCategory("grant-assertion")]
    public bool GrantAssertionAfter() => _grant.WithAssertion();

    [Benchmark(Baseline = true, Description = "grant, secret: before")]
    [BenchmarkCategory("grant-secret")]
    public bool GrantSecretBefore() => _baselineWithSecret();

    [Benchmark(Description = "grant, secret: after")]
    [BenchmarkCategory("grant-secret")]
    public bool GrantSecretAfter() => _grant.WithSecret();
}
