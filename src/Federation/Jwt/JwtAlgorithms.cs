namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// The JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1) this service verifies. Asymmetric only: <c>none</c> and the
/// HMAC family are never accepted whatever a provider's configuration says.
/// </summary>
public static class JwtAlgorithms
{
    public const string RS256 = "RS256";
    public const string RS384 = "RS384";
    public const string RS512 = "RS512";
    public const string PS256 = "PS256";
    public const string PS384 = "PS384";
    public const string PS512 = "PS512";
    public const string ES256 = "ES256";
    public const string ES384 = "ES384";
    public const string ES512 = "ES512";
    public const string EdDSA = "EdDSA";

    /// <summary>The fully specified name of EdDSA over Ed25519 (RFC 9864 §2.2); the same signature as <see cref="EdDSA"/>.</summary>
    public const string Ed25519 = "Ed25519";

    /// <summary>Every supported algorithm, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519];

    private static readonly HashSet<string> Supported = new(All, StringComparer.Ordinal);

    /// <summary>True for a supported asymmetric algorithm name (case-sensitive, as RFC 7515 §4.1.1 requires).</summary>
    public static bool IsSupported(string? alg) => alg is not null && Supported.Contains(alg);

    /// <summary>The family a name belongs to, or <see cref="JwtAlgorithmFamily.Unsupported"/>.</summary>
    public static JwtAlgorithmFamily FamilyOf(string? alg) => alg switch
    {
        RS256 or RS384 or RS512 => JwtAlgorithmFamily.RsaPkcs1,
        PS256 or PS384 or PS512 => JwtAlgorithmFamily.RsaPss,
        ES256 or ES384 or ES512 => JwtAlgorithmFamily.Ecdsa,
        EdDSA or Ed25519 => JwtAlgorithmFamily.EdDsa,
        _ => JwtAlgorithmFamily.Unsupported,
    };
}

/// <summary>Families of <see cref="JwtAlgorithms"/>.</summary>
public enum JwtAlgorithmFamily
{
    /// <summary>Not a supported algorithm (includes <c>none</c> and HS*).</summary>
    Unsupported = 0,

    /// <summary>RSASSA-PKCS1-v1_5.</summary>
    RsaPkcs1,

    /// <summary>RSASSA-PSS with MGF1 and a salt as long as the hash.</summary>
    RsaPss,

    /// <summary>ECDSA with the curve fixed by the algorithm.</summary>
    Ecdsa,

    /// <summary>EdDSA (Ed25519 only), named <c>EdDSA</c> (RFC 8037) or <c>Ed25519</c> (RFC 9864).</summary>
    EdDsa,
}
