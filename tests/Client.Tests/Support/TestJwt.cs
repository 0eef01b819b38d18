using System.Buffers.Text;
using System.Text.Json;

namespace WorkloadFederation.Client.Tests.Support;

/// <summary>Compact JWTs with chosen claims. The signature is a placeholder: the client never verifies platform tokens.</summary>
public static class TestJwt
{
    public static string Create(object claims, object? header = null)
    {
        var h = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header ?? new { alg = "RS256", typ = "JWT", kid = "k1" }));
        var p = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        return $"{h}.{p}.c2lnbmF0dXJl";
    }

    /// <summary>A platform-like token issued at <paramref name="issuedAt"/>, valid for <paramref name="lifetime"/>.</summary>
    public static string Platform(DateTimeOffset issuedAt, TimeSpan lifetime, string audience = "acme.example.com", string subject = "repo:acme/app:ref:refs/heads/main") =>
        Create(new Dictionary<string, object>
        {
            ["iss"] = "https://token.actions.githubusercontent.com",
            ["aud"] = audience,
            ["sub"] = subject,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = (issuedAt + lifetime).ToUnixTimeSeconds(),
            ["repository"] = "acme/app",
            ["ref"] = "refs/heads/main",
        });
}
