using WorkloadFederation.Gateway.Admin.Common;

namespace WorkloadFederation.Gateway.Tests.Admin;

public sealed class AdminValidationTests
{
    [Theory]
    [InlineData("https issuer", "https://token.actions.githubusercontent.com", false, null)]
    [InlineData("http public", "http://issuer.example.com", true, "invalid_url")]
    [InlineData("http loopback outside dev", "http://127.0.0.1:5080/dev/oidc", false, "invalid_url")]
    [InlineData("http loopback in dev", "http://127.0.0.1:5080/dev/oidc", true, null)]
    [InlineData("http localhost in dev", "http://localhost:5080/dev/oidc", true, null)]
    [InlineData("relative", "/issuer", false, "invalid_url")]
    [InlineData("query", "https://issuer.example.com/?a=b", false, "invalid_url")]
    [InlineData("fragment", "https://issuer.example.com/#x", false, "invalid_url")]
    [InlineData("user info", "https://u:p@issuer.example.com", false, "invalid_url")]
    [InlineData("ftp", "ftp://issuer.example.com", false, "invalid_url")]
    public void ProviderUrl_Table(string name, string url, bool dev, string? code)
    {
        var error = AdminValidation.ProviderUrl(url, "issuer_url", dev, required: true);

        Assert.True(code == error?.Code, $"{name}: {error?.Detail}");
        if (error is not null)
        {
            Assert.Equal("issuer_url", error.Field);
        }
    }

    [Fact]
    public void Roles_UnknownRole_NamesIndex()
    {
        var error = AdminValidation.Roles(["Super Admin", "root"], "roles");

        Assert.Equal("unknown_role", error!.Code);
        Assert.Equal("roles[1]", error.Field);
    }

    [Fact]
    public void ScopedRoles_NotHeldByPrincipal_IsRefused()
    {
        var error = AdminValidation.ScopedRoles(["Super Admin"], ["Basic User"]);

        Assert.Equal("scoped_roles[0]", error!.Field);
    }

    [Fact]
    public void DisplayName_TooLong_NamesLimit()
    {
        var error = AdminValidation.DisplayName(new string('a', 201));

        Assert.Equal("field_too_long", error!.Code);
        Assert.Equal("200 characters", error.Limit);
    }
}
