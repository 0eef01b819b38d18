using System.Security.Cryptography;
using System.Text;
using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Gateway.DevIssuer;

/// <summary>
/// The development issuer's RSA-2048 signing key. Generated in memory when the node starts and never written
/// anywhere: a restart rotates it (a new <c>kid</c>, which the provider key cache picks up on first use).
/// </summary>
internal sealed class DevIssuerKey : IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);

    public DevIssuerKey()
    {
        var p = _rsa.ExportParameters(includePrivateParameters: false);
        var n = Base64Url.Encode(p.Modulus);
        var e = Base64Url.Encode(p.Exponent);
        // RFC 7638 thumbprint: members in lexicographic order, no whitespace.
        KeyId = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"e":"{{e}}","kty":"RSA","n":"{{n}}"}""")));
        JwksJson = $$"""{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{KeyId}}","n":"{{n}}","e":"{{e}}"}]}""";
    }

    public string KeyId { get; }

    /// <summary>The public JWKS document, serialized once.</summary>
    public string JwksJson { get; }

    public byte[] Sign(ReadOnlySpan<byte> signingInput)
    {
        // One RSA instance; concurrent use of an instance is not documented as safe, and dev traffic is light.
        lock (_rsa)
        {
            return _rsa.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    public void Dispose() => _rsa.Dispose();
}
