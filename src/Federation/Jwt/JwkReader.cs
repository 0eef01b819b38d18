using System.Security.Cryptography;
using System.Text.Json;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>Turns one JWK object into a <see cref="VerificationKey"/> or a reason it cannot be one.</summary>
internal static class JwkReader
{
    public static string? TryRead(JsonElement jwk, VerificationKeyOptions options, out VerificationKey? key)
    {
        key = null;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return "The JWK is not a JSON object.";
        }

        if (!TryGetString(jwk, JwkMembers.KeyType, out var kty, out var problem))
        {
            return problem ?? "The JWK has no kty.";
        }

        foreach (var member in JwkMembers.PrivateMembers)
        {
            if (jwk.TryGetProperty(member, out _))
            {
                return "The JWK carries private or symmetric key material; only public keys are accepted.";
            }
        }

        if (!TryGetOptionalString(jwk, JwkMembers.KeyId, out var kid, out problem)
            || !TryGetOptionalString(jwk, JwkMembers.Algorithm, out var alg, out problem)
            || !TryGetOptionalString(jwk, JwkMembers.Use, out var use, out problem))
        {
            return problem;
        }

        if (use is not null && use != JwkMembers.UseSignature)
        {
            return "The JWK's use is not sig.";
        }

        if (jwk.TryGetProperty(JwkMembers.KeyOperations, out var ops))
        {
            if (ops.ValueKind != JsonValueKind.Array)
            {
                return "The JWK's key_ops is not an array.";
            }

            var verify = false;
            foreach (var op in ops.EnumerateArray())
            {
                if (op.ValueKind != JsonValueKind.String)
                {
                    return "The JWK's key_ops holds a value that is not a string.";
                }

                verify |= op.ValueEquals(JwkMembers.OperationVerify);
            }

            if (!verify)
            {
                return "The JWK's key_ops does not include verify.";
            }
        }

        if (alg is not null && !JwtAlgorithms.IsSupported(alg))
        {
            return "The JWK's alg is not a supported asymmetric signature algorithm.";
        }

        string? error = kty switch
        {
            JwkMembers.KeyTypeRsa => ReadRsa(jwk, kid, alg, options, out key),
            JwkMembers.KeyTypeEc => ReadEc(jwk, kid, alg, out key),
            JwkMembers.KeyTypeOkp => ReadOkp(jwk, kid, alg, out key),
            JwkMembers.KeyTypeOct => "The JWK is a symmetric (oct) key; only asymmetric keys are accepted.",
            _ => "The JWK's kty is not RSA, EC or OKP.",
        };

        if (error is null && alg is not null && !key!.Supports(alg))
        {
            key = null;
            return "The JWK's alg does not match its key type or curve.";
        }

        return error;
    }

    private static string? ReadRsa(JsonElement jwk, string? kid, string? alg, VerificationKeyOptions options, out VerificationKey? key)
    {
        key = null;
        if (!TryGetBytes(jwk, JwkMembers.Modulus, out var n, out var problem) || !TryGetBytes(jwk, JwkMembers.Exponent, out var e, out problem))
        {
            return problem;
        }

        n = StripLeadingZeros(n);
        e = StripLeadingZeros(e);
        var bits = BitLength(n);
        if (bits < Math.Max(2048, options.MinimumRsaBits))
        {
            return $"The RSA modulus is {bits} bits; the minimum is {Math.Max(2048, options.MinimumRsaBits)} bits.";
        }

        if (bits > options.MaximumRsaBits)
        {
            return $"The RSA modulus is {bits} bits; the maximum is {options.MaximumRsaBits} bits.";
        }

        // A public exponent must be odd and greater than 1; more than 8 bytes is not a real-world key.
        if (e.Length is 0 or > 8 || (e[^1] & 1) == 0 || (e.Length == 1 && e[0] == 1))
        {
            return "The RSA public exponent is not an odd integer greater than 1 of at most 64 bits.";
        }

        var parameters = new RSAParameters { Modulus = n, Exponent = e };
        try
        {
            using var probe = RSA.Create();
            probe.ImportParameters(parameters);
        }
        catch (CryptographicException)
        {
            return "The RSA key could not be imported.";
        }

        key = new RsaVerificationKey(kid, alg, parameters, bits);
        return null;
    }

    private static string? ReadEc(JsonElement jwk, string? kid, string? alg, out VerificationKey? key)
    {
        key = null;
        if (!TryGetString(jwk, JwkMembers.Curve, out var crv, out var problem))
        {
            return problem ?? "The EC JWK has no crv.";
        }

        (ECCurve curve, int size, int bits)? shape = crv switch
        {
            JwkMembers.CurveP256 => (ECCurve.NamedCurves.nistP256, 32, 256),
            JwkMembers.CurveP384 => (ECCurve.NamedCurves.nistP384, 48, 384),
            JwkMembers.CurveP521 => (ECCurve.NamedCurves.nistP521, 66, 521),
            _ => null,
        };

        if (shape is not { } s)
        {
            return "The EC JWK's crv is not P-256, P-384 or P-521.";
        }

        if (!TryGetBytes(jwk, JwkMembers.X, out var x, out problem) || !TryGetBytes(jwk, JwkMembers.Y, out var y, out problem))
        {
            return problem;
        }

        // RFC 7518 §6.2.1.2: each coordinate is exactly the full field size, leading zeros included.
        if (x.Length != s.size || y.Length != s.size)
        {
            return $"The EC JWK's coordinates are not {s.size} bytes each, as {crv} requires.";
        }

        var parameters = new ECParameters { Curve = s.curve, Q = new ECPoint { X = x, Y = y } };
        try
        {
            parameters.Validate();
            using var probe = ECDsa.Create();
            // Import checks that the point lies on the curve.
            probe.ImportParameters(parameters);
        }
        catch (CryptographicException)
        {
            return "The EC JWK's point is not on its curve.";
        }

        key = new EcVerificationKey(kid, alg, parameters, crv, s.bits, s.size);
        return null;
    }

    private static string? ReadOkp(JsonElement jwk, string? kid, string? alg, out VerificationKey? key)
    {
        key = null;
        if (!TryGetString(jwk, JwkMembers.Curve, out var crv, out var problem))
        {
            return problem ?? "The OKP JWK has no crv.";
        }

        if (crv != JwkMembers.CurveEd25519)
        {
            return "The OKP JWK's crv is not Ed25519.";
        }

        if (!TryGetBytes(jwk, JwkMembers.X, out var x, out problem))
        {
            return problem;
        }

        if (x.Length != Ed25519VerificationKey.PublicKeyLength)
        {
            return "The Ed25519 public key is not 32 bytes.";
        }

        key = Ed25519VerificationKey.TryCreate(kid, alg, x);
        return key is null ? "The Ed25519 public key is not a valid key." : null;
    }

    private static bool TryGetString(JsonElement jwk, string name, out string value, out string? problem)
    {
        value = string.Empty;
        problem = null;
        if (!jwk.TryGetProperty(name, out var element))
        {
            return false;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problem = $"The JWK's {name} is not a string.";
            return false;
        }

        value = element.GetString()!;
        return true;
    }

    private static bool TryGetOptionalString(JsonElement jwk, string name, out string? value, out string? problem)
    {
        value = null;
        problem = null;
        if (!jwk.TryGetProperty(name, out var element))
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problem = $"The JWK's {name} is not a string.";
            return false;
        }

        value = element.GetString();
        return true;
    }

    private static bool TryGetBytes(JsonElement jwk, string name, out byte[] bytes, out string? problem)
    {
        bytes = [];
        if (!TryGetString(jwk, name, out var text, out problem))
        {
            problem ??= $"The JWK has no {name}.";
            return false;
        }

        if (text.Length == 0 || !Base64Url.TryDecode(text, out bytes))
        {
            problem = $"The JWK's {name} is not non-empty strict base64url.";
            return false;
        }

        return true;
    }

    private static byte[] StripLeadingZeros(byte[] value)
    {
        var i = 0;
        while (i < value.Length - 1 && value[i] == 0)
        {
            i++;
        }

        return i == 0 ? value : value[i..];
    }

    private static int BitLength(byte[] magnitude)
    {
        if (magnitude.Length == 0 || (magnitude.Length == 1 && magnitude[0] == 0))
        {
            return 0;
        }

        return ((magnitude.Length - 1) * 8) + (8 - System.Numerics.BitOperations.LeadingZeroCount((uint)magnitude[0]) + 24);
    }
}
