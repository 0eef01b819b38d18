using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using WorkloadFederation.Federation.Jwt;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Jwt;

/// <summary>
/// Property: for any header and payload assembled from JSON fragments (valid and hostile), reading never throws, and
/// a token that reads successfully can be fully traversed and every accessor called without an exception.
/// </summary>
public sealed class JwsCompactFuzzTests
{
    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", ":", ",", "\"alg\"", "\"RS256\"", "\"kid\"", "\"iss\"", "\"aud\"", "\"exp\"", "\"nbf\"", "\"iat\"",
        "\"sub\"", "\"crit\"", "\"a\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"\\\\\"", "\"é\"", "\"\\uD83D\\uDE00\"",
        "1", "-1", "0.5", "1e999", "-0", "99999999999999999999", "true", "false", "null", " ", "\"x", "\\",
    ];

    private static readonly Gen<string> Json = Gen.Elements(Fragments).ListOf().Select(parts => string.Concat(parts));

    private static readonly Gen<string> Names = Gen.Elements("alg", "kid", "typ", "crit", "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "x", "\\u0061", "\\ud800");

    private static readonly Gen<string> Scalars = Gen.Elements(
        "\"RS256\"", "\"a\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"\\\\\"", "\"é\"", "\"\\uD83D\\uDE00\"",
        "1", "-1", "0.5", "1e999", "-0", "99999999999999999999", "1700000000", "true", "false", "null", "[]", "{}", "[\"a\",1]", "[[[[1]]]]");

    private static readonly Gen<string> Members =
        Gen.Zip(Names, Scalars).Select(t => $"\"{t.Item1}\":{t.Item2}").ListOf().Select(m => string.Join(",", m));

    private static readonly Gen<string> Objects = Gen.Frequency(
        (1, Json),
        (3, Members.Select(m => "{\"alg\":\"RS256\"" + (m.Length > 0 ? "," + m : string.Empty) + "}")),
        (3, Members.Select(m => "{" + m + "}")));

    [Fact]
    public void TryParse_FragmentAssembledTokens_NeverThrowAndParsedTokensAreSafeToRead()
    {
        var parsed = 0;
        Prop.ForAll(Arb.From(Objects), Arb.From(Objects), (header, payload) =>
        {
            var token = $"{Base64Url.Encode(Encoding.UTF8.GetBytes(header))}.{Base64Url.Encode(Encoding.UTF8.GetBytes(payload))}.c2ln";
            if (!JwsCompact.TryParse(token, JwtReadLimits.Default, out var jwt, out _))
            {
                return true;
            }

            parsed++;
            _ = jwt!.ReadIssuer();
            _ = jwt.ReadSubject();
            _ = jwt.ReadAudience();
            _ = jwt.ReadExpires();
            _ = jwt.ReadNotBefore();
            _ = jwt.ReadIssuedAt();
            _ = jwt.ReadJwtId();
            Traverse(jwt.Header);
            Traverse(jwt.Payload);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));

        Assert.True(parsed > 0, "the generator should produce some readable tokens");
    }

    private static void Traverse(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    Traverse(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Traverse(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Number:
                _ = element.TryGetInt64(out _);
                _ = element.GetDouble();
                break;
        }
    }
}
