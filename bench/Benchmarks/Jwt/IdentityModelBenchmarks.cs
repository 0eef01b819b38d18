using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using Base64Url = System.Buffers.Text.Base64Url;
using VerificationKey = WorkloadFederation.Federation.Jwt.VerificationKey;

namespace WorkloadFederation.Benchmarks.Jwt;

/// <summary>
/// The node's own JWT code beside Microsoft.IdentityModel.JsonWebTokens 8.23 in one run, each doing the same checks:
/// a CI subject token (RS256 and ES256: parse, verify, iss, aud, exp/nbf/iat) and the node's own ES256 access tokens
/// (issue; validate). EdDSA is not measured for the library: it has no Ed25519 signature provider.
/// Run: <c>dotnet run -c Release --project bench/Benchmarks -- --filter '*IdentityModelBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BoundedInProcessConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class IdentityModelBenchmarks
{
    private const string Issuer = "https://token.actions.githubusercontent.com";
    private const string Tenant = "acme.example.com";
    private readonly JsonWebTokenHandler _handler = new();
    private string _rs256 = null!;
    private string _es256 = null!;
    private VerificationKey _ownRsa = null!;
    private VerificationKey _ownEc = null!;
    private TokenValidationParameters _libraryRsa = null!;
    private TokenValidationParameters _libraryEc = null!;
    private AccessTokenIssuer _issuer = null!;
    private AccessTokenValidator _validator = null!;
    private FederationSnapshot _snapshot = null!;
    private AccessTokenDescriptor _descriptor = null!;
    private string _accessToken = null!;
    private string _libraryAccessToken = null!;
    private SecurityTokenDescriptor _libraryDescriptor = null!;
    private TokenValidationParameters _libraryAccess = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rsa = RSA.Create(2048);
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = $$"""{"jti":"5b8f7d2a-1c3e-4f60-9a8b-7c6d5e4f3a21","sub":"repo:octo-org/octo-repo:ref:refs/heads/main","aud":"{{Tenant}}","ref":"refs/heads/main","repository":"octo-org/octo-repo","repository_owner":"octo-org","run_id":"11283849201","event_name":"push","ref_protected":"true","workflow":"deploy","runner_environment":"github-hosted","iss":"{{Issuer}}","nbf":{{now}},"iat":{{now}},"exp":{{now + 3000}}}""";
        _rs256 = Sign("""{"alg":"RS256","kid":"rsa-1","typ":"JWT"}""", payload, input => rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        _es256 = Sign("""{"alg":"ES256","kid":"ec-1","typ":"JWT"}""", payload, input => ec.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var rsaJwk = Jwk(new Dictionary<string, string> { ["kty"] = "RSA", ["kid"] = "rsa-1", ["n"] = Base64Url.EncodeToString(rsa.ExportParameters(false).Modulus), ["e"] = Base64Url.EncodeToString(rsa.ExportParameters(false).Exponent) });
        var q = ec.ExportParameters(false).Q;
        var ecJwk = Jwk(new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = "P-256", ["kid"] = "ec-1", ["x"] = Base64Url.EncodeToString(q.X), ["y"] = Base64Url.EncodeToString(q.Y) });
        _ownRsa = OwnKey(rsaJwk);
        _ownEc = OwnKey(ecJwk);
        _libraryRsa = LibraryParameters(new JsonWebKey(rsaJwk), Issuer, Tenant, "RS256");
        _libraryEc = LibraryParameters(new JsonWebKey(ecJwk), Issuer, Tenant, "ES256");

        // The node's own access tokens: issued and validated with the snapshot's ES256 signing key.
        var kek = new KeyEncryption(KeyEncryption.GenerateKey());
        var created = DateTimeOffset.UtcNow.AddDays(-1);
        var compiler = new SnapshotCompiler(CelTrustConditionCompiler.Instance, kek, TimeProvider.System);
        const string CredentialClientId = "quiet-falcon-00042@acme.example.com/spc";
        _snapshot = compiler.Build(new StoreState(
            1,
            [new Tenant(Tenant, created)],
            [],
            [new ServicePrincipal("sp1", Tenant, "deployer", ["deploy"], [], true, created, created)],
            [new Credential("cred-1", Tenant, "sp1", CredentialClientId, "bench", Federation.Credentials.Ed25519Keys.Generate().PublicKey, created.AddDays(90), [], [], null, created, created)],
            [],
            [SigningKeyRing.CreateKey(kek, created)],
            []));
        var options = new IssuedTokenOptions { Issuer = "https://{tenant}" };
        _issuer = new AccessTokenIssuer(options, TimeProvider.System);
        _validator = new AccessTokenValidator(options, TimeProvider.System);
        _descriptor = new AccessTokenDescriptor(Tenant, "sp1", CredentialClientId, ["deploy"], AuthenticationMethods.ClientCredentials,
            TimeSpan.FromSeconds(1800), CredentialId: "cred-1");
        if (!_issuer.TryIssue(_snapshot.SigningKeys, _descriptor, out var issued))
        {
            throw new InvalidOperationException("the node did not issue the benchmark access token");
        }

        var check = _validator.Validate(issued.Token, _snapshot);
        if (!check.IsActive)
        {
            throw new InvalidOperationException("the node's own access token did not validate: " + check.Reason);
        }

        _accessToken = issued.Token;
        var ring = _snapshot.SigningKeys.Active!;
        var signingKey = new ECDsaSecurityKey(ring.Key) { KeyId = ring.KeyId };
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(_accessToken.Split('.')[1]));
        _libraryDescriptor = new SecurityTokenDescriptor
        {
            Claims = claims.RootElement.EnumerateObject().Where(p => p.Name is not ("iat" or "exp" or "nbf"))
                .ToDictionary(p => p.Name, p => (object)(p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().Select(e => e.GetString()).ToArray() : p.Value.ToString())),
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.EcdsaSha256),
            IssuedAt = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddMinutes(30),
            TokenType = "at+jwt",
        };
        _libraryAccessToken = _handler.CreateToken(_libraryDescriptor);
        var iss = claims.RootElement.GetProperty("iss").GetString()!;
        _libraryAccess = new TokenValidationParameters
        {
            ValidIssuer = iss,
            ValidateAudience = false,
            IssuerSigningKey = signingKey,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            TryAllIssuerSigningKeys = false,
            ClockSkew = TimeSpan.FromSeconds(60),
        };

        if (!OwnSubject(_rs256, _ownRsa) || !OwnSubject(_es256, _ownEc) || !LibraryRs256() || !LibraryEs256() || !LibraryValidateAccessToken())
        {
            throw new InvalidOperationException("a benchmark token was refused");
        }
    }

    [Benchmark(Baseline = true, Description = "RS256 subject token: own reader")]
    [BenchmarkCategory("rs256")]
    public bool OwnRs256() => OwnSubject(_rs256, _ownRsa);

    [Benchmark(Description = "RS256 subject token: IdentityModel")]
    [BenchmarkCategory("rs256")]
    public bool LibraryRs256() => _handler.ValidateTokenAsync(_rs256, _libraryRsa).GetAwaiter().GetResult().IsValid;

    [Benchmark(Baseline = true, Description = "ES256 subject token: own reader")]
    [BenchmarkCategory("es256")]
    public bool OwnEs256() => OwnSubject(_es256, _ownEc);

    [Benchmark(Description = "ES256 subject token: IdentityModel")]
    [BenchmarkCategory("es256")]
    public bool LibraryEs256() => _handler.ValidateTokenAsync(_es256, _libraryEc).GetAwaiter().GetResult().IsValid;

    [Benchmark(Baseline = true, Description = "issue access token: own")]
    [BenchmarkCategory("issue")]
    public bool OwnIssue() => _issuer.TryIssue(_snapshot.SigningKeys, _descriptor, out _);

    [Benchmark(Description = "issue access token: IdentityModel")]
    [BenchmarkCategory("issue")]
    public string LibraryIssue() => _handler.CreateToken(_libraryDescriptor);

    [Benchmark(Baseline = true, Description = "validate access token: own")]
    [BenchmarkCategory("validate")]
    public bool OwnValidateAccessToken() => _validator.Validate(_accessToken, _snapshot).IsActive;

    [Benchmark(Description = "validate access token: IdentityModel")]
    [BenchmarkCategory("validate")]
    public bool LibraryValidateAccessToken() => _handler.ValidateTokenAsync(_libraryAccessToken, _libraryAccess).GetAwaiter().GetResult().IsValid;

    /// <summary>What the exchange pipeline does with a subject token's envelope: parse strictly, verify, check iss, aud and times.</summary>
    private static bool OwnSubject(string token, VerificationKey key)
    {
        if (!JwsCompact.TryParse(token, JwtReadLimits.Default, out var jwt, out _) || !key.Verify(jwt!.Algorithm, jwt.SigningInput.Span, jwt.Signature.Span))
        {
            return false;
        }

        var now = DateTimeOffset.UtcNow;
        var skew = TimeSpan.FromSeconds(60);
        return jwt.ReadIssuer() is { IsPresent: true } iss && iss.Value == Issuer
            && jwt.ReadAudience() is { IsPresent: true } aud && aud.Value!.Contains(Tenant)
            && jwt.ReadExpires() is { IsPresent: true } exp && exp.Value > now - skew
            && jwt.ReadNotBefore() is var nbf && (!nbf.IsPresent || nbf.Value <= now + skew)
            && jwt.ReadIssuedAt() is { IsPresent: true } iat && iat.Value <= now + skew;
    }

    private static TokenValidationParameters LibraryParameters(SecurityKey key, string issuer, string audience, string alg) => new()
    {
        ValidIssuer = issuer,
        ValidAudience = audience,
        IssuerSigningKey = key,
        ValidAlgorithms = [alg],
        TryAllIssuerSigningKeys = false,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(60),
    };

    private static VerificationKey OwnKey(string jwk)
    {
        using var doc = JsonDocument.Parse(jwk);
        return VerificationKey.TryCreate(doc.RootElement, VerificationKeyOptions.Default, out var key, out var error) ? key! : throw new InvalidOperationException(error);
    }

    private static string Jwk(Dictionary<string, string> members) => JsonSerializer.Serialize(members);

    private static string Sign(string header, string payload, Func<byte[], byte[]> sign)
    {
        var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        return input + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(input)));
    }
}
