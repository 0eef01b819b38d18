using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Credentials;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>A response read once: status, headers and the body as text and JSON.</summary>
public sealed record Reply(HttpStatusCode Status, string Body, HttpResponseHeaders Headers, string? ContentType)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Str(string name) => Json.GetProperty(name).GetString()!;

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>Plain HttpClient calls of the wire contract (the SDK is not on main yet).</summary>
public static class Wire
{
    public static async Task<Reply> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            return new Reply(response.StatusCode, body, response.Headers, response.Content.Headers.ContentType?.MediaType);
        }
    }

    public static Task<Reply> PostFormAsync(this HttpClient http, string path, IEnumerable<KeyValuePair<string, string>> fields, string? bearer = null, string? host = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return SendAsync(http, request);
    }

    public static Task<Reply> SendJsonAsync(this HttpClient http, HttpMethod method, string path, string? bearer, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body, WireJson.Options);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return SendAsync(http, request);
    }

    public static async Task<Reply> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            return await ReadAsync(await http.SendAsync(request));
        }
    }

    /// <summary>An RFC 7523 client assertion signed with the secret's Ed25519 key.</summary>
    public static string Assertion(string clientId, string secretText, string audience, DateTimeOffset now,
        TimeSpan? lifetime = null, string? jti = null, Action<JsonObject>? tweak = null, bool withKid = true)
    {
        if (!ClientSecret.TryParse(secretText, out var secret, out var error))
        {
            throw new ArgumentException(error);
        }

        var header = new JsonObject { ["alg"] = "EdDSA", ["typ"] = "JWT" };
        if (withKid)
        {
            header["kid"] = secret.KeyId;
        }

        var claims = new JsonObject
        {
            ["iss"] = clientId,
            ["sub"] = clientId,
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + (lifetime ?? TimeSpan.FromMinutes(2))).ToUnixTimeSeconds(),
            ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
        };
        tweak?.Invoke(claims);
        var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + "."
            + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = Ed25519Keys.Sign(secret.PrivateKey, Encoding.ASCII.GetBytes(input));
        return input + "." + Base64Url.EncodeToString(signature);
    }

    public static Dictionary<string, string> AssertionForm(string clientId, string assertion) => new()
    {
        [OAuthParameters.GrantType] = GrantTypes.ClientCredentials,
        [OAuthParameters.ClientId] = clientId,
        [OAuthParameters.ClientAssertionType] = ClientAssertionTypes.JwtBearer,
        [OAuthParameters.ClientAssertion] = assertion,
    };

    public static Dictionary<string, string> SecretForm(string clientId, string secret) => new()
    {
        [OAuthParameters.GrantType] = GrantTypes.ClientCredentials,
        [OAuthParameters.ClientId] = clientId,
        [OAuthParameters.ClientSecret] = secret,
    };

    /// <summary>Logs in with a signed assertion and returns the access token (asserting success).</summary>
    public static async Task<string> LoginAsync(this HttpClient http, string clientId, string secret)
    {
        var tenant = ClientId.TryParse(clientId, out var parsed) ? parsed.Tenant : throw new ArgumentException("client id");
        var reply = await http.PostFormAsync(EndpointPaths.Token, AssertionForm(clientId, Assertion(clientId, secret, tenant, DateTimeOffset.UtcNow)));
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Str("access_token");
    }
}
