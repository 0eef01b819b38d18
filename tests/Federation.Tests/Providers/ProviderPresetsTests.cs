using System.Text.Json;
using WorkloadFederation.Contracts;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Providers;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Providers;

public sealed class ProviderPresetsTests
{
    [Fact]
    public void All_ListsThePresetsOfApiMdInOrder()
    {
        Assert.Equal(["github-actions", "gitlab", "hcp-terraform", "aws-iam-outbound", "custom"], ProviderPresets.All.Select(p => p.Id));
    }

    [Theory]
    [InlineData("github-actions", "https://token.actions.githubusercontent.com", false, new[] { "RS256" })]
    [InlineData("gitlab", "https://gitlab.com", true, new[] { "RS256" })]
    [InlineData("hcp-terraform", "https://app.terraform.io", true, new[] { "RS256" })]
    [InlineData("aws-iam-outbound", null, true, new[] { "RS256", "ES384" })]
    [InlineData("custom", null, true, new[] { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519" })]
    public void Preset_IssuerAndAlgorithms_MatchThePlatform(string id, string? issuer, bool editable, string[] algorithms)
    {
        Assert.True(ProviderPresets.TryGet(id, out var preset));
        Assert.Equal(issuer, preset.IssuerUrl);
        Assert.Equal(editable, preset.IssuerEditable);
        Assert.Equal(algorithms, preset.DefaultAlgorithms);
        Assert.All(preset.DefaultAlgorithms, a => Assert.True(JwtAlgorithms.IsSupported(a)));
        Assert.Equal(preset.Claims.Count, preset.Claims.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("GitHub-Actions")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("azure")]
    public void TryGet_UnknownId_IsFalse(string? id)
    {
        Assert.False(ProviderPresets.TryGet(id, out _));
    }

    [Fact]
    public void ToListDto_SerializesToTheWireShapeOfApiMd()
    {
        var json = JsonSerializer.SerializeToElement(ProviderPresets.ToListDto(), WireJson.Options);
        var presets = json.GetProperty("presets");
        Assert.Equal(5, presets.GetArrayLength());
        var github = presets[0];
        Assert.Equal("github-actions", github.GetProperty("id").GetString());
        Assert.Equal("GitHub Actions", github.GetProperty("display_name").GetString());
        Assert.Equal("https://token.actions.githubusercontent.com", github.GetProperty("issuer_url").GetString());
        Assert.False(github.GetProperty("issuer_editable").GetBoolean());
        Assert.Contains("repository", github.GetProperty("claims").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["RS256"], github.GetProperty("default_algorithms").EnumerateArray().Select(c => c.GetString()));
        var aws = presets[3];
        Assert.Equal("aws-iam-outbound", aws.GetProperty("id").GetString());
        Assert.False(aws.TryGetProperty("issuer_url", out _), "a per-account issuer has no default (null omitted on the wire)");
        Assert.True(aws.GetProperty("issuer_editable").GetBoolean());
    }
}
