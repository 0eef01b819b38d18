using WorkloadFederation.Federation.Providers;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Providers;

public sealed class ProviderSettingsValidatorTests
{
    [Fact]
    public void Resolve_GitHubWithoutIssuer_UsesTheFixedIssuerAndDefaultAlgorithms()
    {
        var result = ProviderSettingsValidator.Resolve("github-actions", null, null, null, false);
        Assert.True(result.IsValid);
        Assert.Equal("https://token.actions.githubusercontent.com", result.IssuerUrl);
        Assert.Equal(["RS256"], result.AllowedAlgorithms);
    }

    [Fact]
    public void Resolve_GitLabSelfManaged_TakesTheGivenIssuer()
    {
        var result = ProviderSettingsValidator.Resolve("gitlab", "https://gitlab.acme.example.com", null, null, false);
        Assert.True(result.IsValid);
        Assert.Equal("https://gitlab.acme.example.com", result.IssuerUrl);
    }

    [Fact]
    public void Resolve_AwsWithoutIssuer_IsRefusedWithAnExample()
    {
        var result = ProviderSettingsValidator.Resolve("aws-iam-outbound", null, null, null, false);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("issuer_url", problem.Field);
        Assert.Contains("tokens.sts.global.api.aws", problem.Message);
    }

    [Fact]
    public void Resolve_AwsDefaults_AllowRs256AndEs384()
    {
        var result = ProviderSettingsValidator.Resolve("aws-iam-outbound", "https://0a1b2c3d-4e5f-6789-abcd-ef0123456789.tokens.sts.global.api.aws", null, null, false);
        Assert.True(result.IsValid);
        Assert.Equal(["RS256", "ES384"], result.AllowedAlgorithms);
    }

    [Fact]
    public void Resolve_ManyProblems_AreAllReportedAtOnce()
    {
        var result = ProviderSettingsValidator.Resolve(
            "github-actions", "https://evil.example", "http://keys.example/jwks", ["RS256", "HS256", "none", "RS256"], false);

        Assert.Contains(result.Problems, p => p.Field == "issuer_url" && p.Message.Contains("fixed"));
        Assert.Contains(result.Problems, p => p.Field == "jwks_uri" && p.Message.Contains("https"));
        Assert.Contains(result.Problems, p => p.Field == "allowed_algorithms" && p.Message.Contains("'HS256'"));
        Assert.Contains(result.Problems, p => p.Field == "allowed_algorithms" && p.Message.Contains("'none'"));
        Assert.Contains(result.Problems, p => p.Field == "allowed_algorithms" && p.Message.Contains("twice"));
    }

    [Theory]
    [InlineData("unknown preset", "azure", "https://i.example", false, "preset")]
    [InlineData("http issuer", "custom", "http://issuer.example", false, "issuer_url")]
    [InlineData("http to non-loopback for dev", "custom", "http://192.168.1.5:8080", true, "issuer_url")]
    [InlineData("query", "custom", "https://issuer.example/?a=1", false, "issuer_url")]
    [InlineData("fragment", "custom", "https://issuer.example/#x", false, "issuer_url")]
    [InlineData("user info", "custom", "https://u:p@issuer.example", false, "issuer_url")]
    [InlineData("relative", "custom", "issuer.example", false, "issuer_url")]
    public void Resolve_BadSettings_AreRefusedOnTheRightField(string name, string preset, string issuer, bool development, string field)
    {
        var result = ProviderSettingsValidator.Resolve(preset, issuer, null, null, development);
        Assert.True(result.Problems.Any(p => p.Field == field), $"{name}: {string.Join("; ", result.Problems)}");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080/dev/oidc")]
    [InlineData("http://localhost:5080/dev/oidc")]
    [InlineData("http://[::1]:5080/dev/oidc")]
    public void Resolve_DevelopmentIssuerOnLoopbackHttp_IsAccepted(string issuer)
    {
        Assert.True(ProviderSettingsValidator.Resolve("custom", issuer, null, null, true).IsValid);
        Assert.False(ProviderSettingsValidator.Resolve("custom", issuer, null, null, false).IsValid);
    }

    [Fact]
    public void Resolve_EmptyOrTooManyAlgorithms_IsRefused()
    {
        Assert.Contains(ProviderSettingsValidator.Resolve("custom", "https://i.example", null, [], false).Problems, p => p.Message.Contains("at least one"));
        var many = Enumerable.Repeat("RS256", 17).ToList();
        Assert.Contains(ProviderSettingsValidator.Resolve("custom", "https://i.example", null, many, false).Problems, p => p.Message.Contains("limit of 16"));
    }
}
