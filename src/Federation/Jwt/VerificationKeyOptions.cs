namespace WorkloadFederation.Federation.Jwt;

/// <summary>Rules a JWK must meet to become a <see cref="VerificationKey"/>.</summary>
public sealed record VerificationKeyOptions
{
    /// <summary>The defaults for provider keys: RSA moduli of 2048 to 8192 bits.</summary>
    public static VerificationKeyOptions Default { get; } = new();

    /// <summary>The smallest RSA modulus accepted, in bits (never below 2048).</summary>
    public int MinimumRsaBits { get; init; } = 2048;

    /// <summary>The largest RSA modulus accepted, in bits: bounds the cost an issuer can impose per verification.</summary>
    public int MaximumRsaBits { get; init; } = 8192;
}
