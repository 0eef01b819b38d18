using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.Jwt;

using Xunit;

namespace WorkloadFederation.Federation.Tests.Jwt;

/// <summary>Builds signed compact tokens and their JWKs for tests.</summary>
internal static class TestJwt
{
    public static string Segment(string json) => Base64Url.Encode(Encoding.UTF8.GetBytes(json));

    public static string Unsigned(string headerJson, string payloadJson, string signature = "c2ln") =>
        $"{Segment(headerJson)}.{Segment(payloadJson)}.{signature}";

    public static string SignRsa(RSA rsa, string alg, string headerJson, string payloadJson)
    {
        var input = $"{Segment(headerJson)}.{Segment(payloadJson)}";
        var (hash, padding) = alg switch
        {
            "RS256" => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "RS384" => (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            "RS512" => (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
            "PS256" => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "PS384" => (HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
            _ => (HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
        };
        var sig = rsa.SignData(Encoding.ASCII.GetBytes(input), hash, padding);
        return input + "." + Base64Url.Encode(sig);
    }

    public static string SignEc(ECDsa ecdsa, HashAlgorithmName hash, string headerJson, string payloadJson)
    {
        var input = $"{Segment(headerJson)}.{Segment(payloadJson)}";
        var sig = ecdsa.SignData(Encoding.ASCII.GetBytes(input), hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.Encode(sig);
    }

    public static string SignEd25519(Ed25519KeyPair key, string headerJson, string payloadJson)
    {
        var input = Encoding.ASCII.GetBytes($"{Segment(headerJson)}.{Segment(payloadJson)}");
        return Encoding.ASCII.GetString(input) + "." + Base64Url.Encode(Ed25519Keys.Sign(key.PrivateKey, input));
    }

    public static string RsaJwk(RSA rsa, string? kid = null, string? alg = null)
    {
        var p = rsa.ExportParameters(false);
        var members = new Dictionary<string, string> { ["kty"] = "RSA", ["n"] = Base64Url.Encode(p.Modulus), ["e"] = Base64Url.Encode(p.Exponent) };
        if (kid is not null) members["kid"] = kid;
        if (alg is not null) members["alg"] = alg;
        return JsonSerializer.Serialize(members);
    }

    public static string EcJwk(ECDsa ecdsa, string crv, string? kid = null, string? alg = null)
    {
        var p = ecdsa.ExportParameters(false);
        var members = new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = crv, ["x"] = Base64Url.Encode(p.Q.X), ["y"] = Base64Url.Encode(p.Q.Y) };
        if (kid is not null) members["kid"] = kid;
        if (alg is not null) members["alg"] = alg;
        return JsonSerializer.Serialize(members);
    }

    public static string Ed25519Jwk(Ed25519KeyPair key, string? kid = null, string? alg = null)
    {
        var members = new Dictionary<string, string> { ["kty"] = "OKP", ["crv"] = "Ed25519", ["x"] = Base64Url.Encode(key.PublicKey) };
        if (alg is not null) members["alg"] = alg;
        if (kid is not null) members["kid"] = kid;
        return JsonSerializer.Serialize(members);
    }

    public static VerificationKey Key(string jwkJson, VerificationKeyOptions? options = null)
    {
        using var doc = JsonDocument.Parse(jwkJson);
        Assert.True(VerificationKey.TryCreate(doc.RootElement, options ?? VerificationKeyOptions.Default, out var key, out var error), error);
        return key!;
    }

    public static string? KeyError(string jwkJson)
    {
        using var doc = JsonDocument.Parse(jwkJson);
        Assert.False(VerificationKey.TryCreate(doc.RootElement, VerificationKeyOptions.Default, out var key, out var error));
        Assert.Null(key);
        return error;
    }

    public static ParsedJwt Parse(string token)
    {
        Assert.True(JwsCompact.TryParse(token, JwtReadLimits.Default, out var jwt, out var error), error.ToString());
        return jwt!;
    }

    public static JwtFormatErrorKind ParseError(string token, JwtReadLimits? limits = null)
    {
        Assert.False(JwsCompact.TryParse(token, limits ?? JwtReadLimits.Default, out var jwt, out var error));
        Assert.Null(jwt);
        Assert.False(string.IsNullOrEmpty(error.Detail));
        return error.Kind;
    }
}
