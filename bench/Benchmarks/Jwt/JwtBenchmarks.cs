using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.ProviderKeys;

namespace WorkloadFederation.Benchmarks.Jwt;

/// <summary>
/// Raw platform costs (one RSA-2048 RS256 verify, one P-256 ES256 sign) beside this service's token path: strict
/// parse, parse + verify, and parse + cached key resolution + verify + registered claim reads.
/// Run: dotnet run -c Release --project bench/Benchmarks -- --filter '*JwtBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class JwtBenchmarks
{
    private static readonly ProviderKeySource Source = new("bench", "https://token.actions.githubusercontent.com", null, false);

    private RSA _rsa = null!;
    private ECDsa _ecdsa = null!;
    private byte[] _signingInput = null!;
    private byte[] _rsaSignature = null!;
    private string _token = null!;
    private VerificationKey _key = null!;
    private ProviderKeyCache _cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rsa = RSA.Create(2048);
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Base64Url.Encode(Encoding.UTF8.GetBytes("""{"alg":"RS256","kid":"bench-key","typ":"JWT","x5t":"bench"}"""));
        // A GitHub Actions-shaped payload (about 1 KB), the common case.
        var payload = Base64Url.Encode(Encoding.UTF8.GetBytes("""{"jti":"5b8f7d2a-1c3e-4f60-9a8b-7c6d5e4f3a21","sub":"repo:octo-org/octo-repo:ref:refs/heads/main","aud":"acme.example.com","ref":"refs/heads/main","sha":"d6e0a8c3b1f24e5a9c7b3d2e1f0a9b8c7d6e5f4a","repository":"octo-org/octo-repo","repository_owner":"octo-org","repository_owner_id":"65","run_id":"11283849201","run_number":"42","run_attempt":"1","repository_visibility":"private","repository_id":"74","actor_id":"12","actor":"octocat","workflow":"deploy","head_ref":"","base_ref":"","event_name":"push","ref_protected":"true","ref_type":"branch","workflow_ref":"octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main","workflow_sha":"d6e0a8c3b1f24e5a9c7b3d2e1f0a9b8c7d6e5f4a","job_workflow_ref":"octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main","job_workflow_sha":"d6e0a8c3b1f24e5a9c7b3d2e1f0a9b8c7d6e5f4a","runner_environment":"github-hosted","iss":"https://token.actions.githubusercontent.com","nbf":1763726400,"exp":1763727300,"iat":1763727000}"""));
        _signingInput = Encoding.ASCII.GetBytes(header + "." + payload);
        _rsaSignature = _rsa.SignData(_signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _token = header + "." + payload + "." + Base64Url.Encode(_rsaSignature);

        var p = _rsa.ExportParameters(false);
        var jwks = $$"""{"keys":[{"kty":"RSA","kid":"bench-key","use":"sig","n":"{{Base64Url.Encode(p.Modulus)}}","e":"{{Base64Url.Encode(p.Exponent)}}"}]}""";
        if (!JsonWebKeySet.TryParse(Encoding.UTF8.GetBytes(jwks), JwksLimits.Default, out var set, out var error))
        {
            throw new InvalidOperationException(error);
        }

        _key = set!.Keys[0];
        _cache = new ProviderKeyCache(ProviderKeyOptions.Default, TimeProvider.System, null, new StaticFetcher(set));
        if (!_cache.ResolveAsync(Source, "bench-key", JwtAlgorithms.RS256, CancellationToken.None).AsTask().GetAwaiter().GetResult().IsFound)
        {
            throw new InvalidOperationException("The benchmark key did not resolve.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        _rsa.Dispose();
        _ecdsa.Dispose();
    }

    [Benchmark(Description = "raw RSA-2048 RS256 verify (platform)")]
    public bool RawRsaVerify() => _rsa.VerifyData(_signingInput, _rsaSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark(Description = "raw P-256 ES256 sign (platform)")]
    public byte[] RawEs256Sign() => _ecdsa.SignData(_signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark(Description = "strict parse only")]
    public bool Parse() => JwsCompact.TryParse(_token, JwtReadLimits.Default, out _, out _);

    [Benchmark(Description = "parse + RS256 verify (VerificationKey)")]
    public bool ParseAndVerify()
    {
        JwsCompact.TryParse(_token, JwtReadLimits.Default, out var jwt, out _);
        return _key.Verify(jwt!.Algorithm, jwt.SigningInput.Span, jwt.Signature.Span);
    }

    [Benchmark(Description = "parse + cache resolve + verify + claim reads")]
    public async ValueTask<bool> ParseResolveVerifyClaims()
    {
        JwsCompact.TryParse(_token, JwtReadLimits.Default, out var jwt, out _);
        var resolved = await _cache.ResolveAsync(Source, jwt!.KeyId, jwt.Algorithm, CancellationToken.None);
        return resolved.Key!.Verify(jwt.Algorithm, jwt.SigningInput.Span, jwt.Signature.Span)
            && jwt.ReadIssuer().IsPresent && jwt.ReadAudience().IsPresent && jwt.ReadExpires().IsPresent
            && jwt.ReadNotBefore().IsPresent && jwt.ReadIssuedAt().IsPresent;
    }

    private sealed class StaticFetcher(JsonWebKeySet keys) : IJwksFetcher
    {
        public Task<JwksFetchResult> FetchAsync(ProviderKeySource source, CancellationToken cancellationToken) =>
            Task.FromResult(JwksFetchResult.Success(keys, null));
    }
}
