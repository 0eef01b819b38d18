using System.Security.Cryptography;
using System.Text;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Tests.Jwt;
using Xunit;

namespace WorkloadFederation.Federation.Tests.ProviderKeys;

/// <summary>RSA keys with kids, their JWKS documents and tokens they sign.</summary>
internal sealed class TestKeys
{
    private static readonly Dictionary<string, RSA> Keys = new(StringComparer.Ordinal);

    public static RSA For(string kid)
    {
        lock (Keys)
        {
            if (!Keys.TryGetValue(kid, out var rsa))
            {
                rsa = RSA.Create(2048);
                Keys[kid] = rsa;
            }

            return rsa;
        }
    }

    public static string JwksJson(params string[] kids) => $$"""{"keys":[{{string.Join(",", kids.Select(k => TestJwt.RsaJwk(For(k), k)))}}]}""";

    public static JsonWebKeySet Set(params string[] kids)
    {
        Assert.True(JsonWebKeySet.TryParse(Encoding.UTF8.GetBytes(JwksJson(kids)), JwksLimits.Default, out var set, out var error), error);
        return set!;
    }

    public static ParsedJwt Token(string kid, string iss = "https://issuer.test") =>
        TestJwt.Parse(TestJwt.SignRsa(For(kid), "RS256", $$"""{"alg":"RS256","kid":"{{kid}}"}""", $$"""{"iss":"{{iss}}","sub":"s"}"""));
}
