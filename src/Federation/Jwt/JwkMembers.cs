namespace WorkloadFederation.Federation.Jwt;

/// <summary>JWK member names and values (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2).</summary>
public static class JwkMembers
{
    public const string KeyType = "kty";
    public const string Use = "use";
    public const string KeyOperations = "key_ops";
    public const string Algorithm = "alg";
    public const string KeyId = "kid";
    public const string Curve = "crv";
    public const string X = "x";
    public const string Y = "y";
    public const string Modulus = "n";
    public const string Exponent = "e";
    public const string Keys = "keys";

    public const string KeyTypeRsa = "RSA";
    public const string KeyTypeEc = "EC";
    public const string KeyTypeOkp = "OKP";
    public const string KeyTypeOct = "oct";
    public const string UseSignature = "sig";
    public const string OperationVerify = "verify";
    public const string CurveP256 = "P-256";
    public const string CurveP384 = "P-384";
    public const string CurveP521 = "P-521";
    public const string CurveEd25519 = "Ed25519";

    /// <summary>Members that carry private or symmetric key material; a published verification key must have none.</summary>
    public static IReadOnlyList<string> PrivateMembers { get; } = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
}
