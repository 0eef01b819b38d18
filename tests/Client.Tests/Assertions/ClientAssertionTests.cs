using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.TestSupport;
using Xunit;
using Env = WorkloadFederation.Contracts.Environment.EnvironmentVariables;

namespace WorkloadFederation.Client.Tests.Assertions;

public sealed class ClientAssertionTests
{
    [Fact]
    public async Task ClientCredentials_Assertion_HasApiHeaderClaimsAndVerifiesWithThePublicKey()
    {
        var (secret, publicKey) = TestSecrets.Create(kid: "cred_abc");
        var time = new ManualTimeProvider();
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token("at-1", 3600)));
        using var client = WifClient.FromEnvironment(new()
        {
            ClientId = TestSecrets.CredentialClientId,
            ClientSecret = secret,
            ServerUrl = server.BaseUrl.ToString(),
            TimeProvider = time,
            ReadEnvironment = false,
        });

        var token = await client.GetTokenAsync();

        Assert.Equal("at-1", token.Value);
        var form = Assert.Single(server.Requests).Form;
        Assert.Equal(GrantTypes.ClientCredentials, form[OAuthParameters.GrantType]);
        Assert.Equal(TestSecrets.CredentialClientId, form[OAuthParameters.ClientId]);
        Assert.Equal(ClientAssertionTypes.JwtBearer, form[OAuthParameters.ClientAssertionType]);
        Assert.False(form.ContainsKey(OAuthParameters.ClientSecret));
        Assert.DoesNotContain(secret, string.Join("&", form.Values), StringComparison.Ordinal);

        var parts = form[OAuthParameters.ClientAssertion].Split('.');
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        Assert.Equal("EdDSA", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("cred_abc", header.RootElement.GetProperty("kid").GetString());
        Assert.Equal(TestSecrets.CredentialClientId, claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal(TestSecrets.CredentialClientId, claims.RootElement.GetProperty("sub").GetString());
        // The tenant domain, not the server URL (which here has a port).
        Assert.Equal(TestSecrets.Tenant, claims.RootElement.GetProperty("aud").GetString());
        var iat = claims.RootElement.GetProperty("iat").GetInt64();
        var exp = claims.RootElement.GetProperty("exp").GetInt64();
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), iat);
        Assert.InRange(exp - iat, 1, 300);
        Assert.False(string.IsNullOrEmpty(claims.RootElement.GetProperty("jti").GetString()));

        var input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(publicKey, input, Base64Url.DecodeFromChars(parts[2])));
    }

    [Fact]
    public void Signer_ManyAssertions_HaveUniqueJti()
    {
        var (secret, _) = TestSecrets.Create();
        Assert.True(ClientSecret.TryParse(secret, out var parsed, out _));
        var signer = new Client.Assertions.ClientAssertionSigner(parsed!, TestSecrets.CredentialClientId, TestSecrets.Tenant, TimeSpan.FromMinutes(2), new ManualTimeProvider());

        var jtis = Enumerable.Range(0, 200).Select(_ =>
        {
            var payload = signer.CreateAssertion().Split('.')[1];
            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(payload));
            return doc.RootElement.GetProperty("jti").GetString();
        }).ToHashSet();

        Assert.Equal(200, jtis.Count);
    }

    [Fact]
    public void Signer_LifetimeOverFiveMinutes_IsRefused()
    {
        var (secret, _) = TestSecrets.Create();
        Assert.True(ClientSecret.TryParse(secret, out var parsed, out _));

        Assert.Throws<ArgumentOutOfRangeException>(() => new Client.Assertions.ClientAssertionSigner(parsed!, TestSecrets.CredentialClientId, TestSecrets.Tenant, TimeSpan.FromMinutes(6), TimeProvider.System));
    }

    [Fact]
    public void Resolve_SecretWhosePublicKeyDoesNotMatch_IsRefusedNamingTheVariable()
    {
        var (a, _) = TestSecrets.Create();
        var (b, _) = TestSecrets.Create();
        Assert.True(ClientSecret.TryParse(a, out var pa, out _));
        Assert.True(ClientSecret.TryParse(b, out var pb, out _));
        var mixed = ClientSecret.Format(TestSecrets.Tenant, "k", pa!.PrivateKey, pb!.PublicKey);

        var result = Client.Configuration.CredentialResolver.Resolve(new() { ReadEnvironment = false, ClientSecret = mixed, ClientId = TestSecrets.CredentialClientId });

        Assert.False(result.Success);
        Assert.Contains("does not belong to its private key", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("the ClientSecret option", result.ErrorSetting);
        _ = Env.ClientSecret;
    }
}
