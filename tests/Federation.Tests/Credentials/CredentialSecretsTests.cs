using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Credentials;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Credentials;

public sealed class CredentialSecretsTests
{
    [Fact]
    public void Generate_Secret_ParsesBackToTheSameKey()
    {
        var generated = CredentialSecrets.Generate("acme.example.com", "cred-1");

        Assert.StartsWith("secret-token:acme.example.com:v1:", generated.Secret, StringComparison.Ordinal);
        Assert.True(ClientSecret.TryParse(generated.Secret, out var parsed, out var error), error);
        Assert.Equal("cred-1", parsed.KeyId);
        Assert.Equal(generated.PublicKey, parsed.PublicKey);
        Assert.True(CredentialSecrets.Matches(parsed, generated.PublicKey));
    }

    [Fact]
    public void Matches_OtherCredentialsPublicKey_IsFalse()
    {
        var first = CredentialSecrets.Generate("acme.example.com", "cred-1");
        var second = CredentialSecrets.Generate("acme.example.com", "cred-2");
        Assert.True(ClientSecret.TryParse(first.Secret, out var parsed, out _));

        Assert.False(CredentialSecrets.Matches(parsed, second.PublicKey));
        Assert.False(CredentialSecrets.Matches(parsed, first.PublicKey.AsSpan(0, 31)));
    }

    [Fact]
    public void Matches_SecretWhoseXWasForged_UsesTheDerivedKey()
    {
        // A secret that carries the victim's x with the attacker's d must not match the victim's key.
        var victim = CredentialSecrets.Generate("acme.example.com", "victim");
        var attacker = Ed25519Keys.Generate();
        var forged = ClientSecret.Format("acme.example.com", "victim", attacker.PrivateKey, victim.PublicKey);
        Assert.True(ClientSecret.TryParse(forged, out var parsed, out _));

        Assert.False(CredentialSecrets.Matches(parsed, victim.PublicKey));
    }

    [Fact]
    public void GeneratedKey_ToString_DoesNotRevealSecret()
    {
        var generated = CredentialSecrets.Generate("acme.example.com", "cred-1");

        Assert.DoesNotContain("secret-token", generated.ToString(), StringComparison.Ordinal);
    }
}
