using System.Net;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// Attack class "server-side request forgery at creation": outside dev mode a provider URL that names a loopback,
/// private, link-local or otherwise non-public address — in any spelling the URL parser accepts — is refused when
/// the provider is created or changed, with the reason the outbound guard would give, not only when fetched later.
/// </summary>
public sealed class ProviderAddressTests(SqliteNodeFixture fixture) : IClassFixture<SqliteNodeFixture>
{
    public static TheoryData<string, string, string> Urls() => new()
    {
        { "ipv4_loopback", "https://127.0.0.1/issuer", "loopback" },
        { "ipv4_loopback_other", "https://127.1.2.3/issuer", "loopback" },
        { "localhost", "https://localhost/issuer", "loopback" },
        { "localhost_subdomain", "https://idp.localhost/issuer", "loopback" },
        { "localhost_trailing_dot", "https://localhost./issuer", "loopback" },
        { "ipv6_loopback", "https://[::1]/issuer", "loopback" },
        { "ipv4_mapped_loopback", "https://[::ffff:127.0.0.1]/issuer", "loopback" },
        { "decimal_integer", "https://2130706433/issuer", "loopback" },
        { "hex_integer", "https://0x7f000001/issuer", "loopback" },
        { "octal_dotted", "https://0177.0.0.1/issuer", "loopback" },
        { "short_dotted", "https://127.1/issuer", "loopback" },
        { "unspecified", "https://0.0.0.0/issuer", "this network" },
        { "private_10", "https://10.0.0.5/issuer", "private" },
        { "private_192_168", "https://192.168.1.1/issuer", "private" },
        { "cloud_metadata", "https://169.254.169.254/latest", "metadata" },
        { "ipv6_unique_local", "https://[fd00:ec2::254]/issuer", "unique local" },
        { "ipv6_link_local", "https://[fe80::1]/issuer", "link-local" },
        { "nat64_of_loopback", "https://[64:ff9b::7f00:1]/issuer", "loopback" },
    };

    [Theory]
    [MemberData(nameof(Urls))]
    public async Task NonPublicProviderUrl_OutsideDevMode_IsRefusedAtCreationNamingTheReason(string name, string url, string reason)
    {
        var issuer = await Create(new { display_name = name, preset = "custom", issuer_url = url });
        var jwks = await Create(new { display_name = name, preset = "custom", issuer_url = "https://issuer.example.com", jwks_uri = url + "/jwks" });

        foreach (var (reply, field) in new[] { (issuer, "issuer_url"), (jwks, "jwks_uri") })
        {
            Assert.True(reply.Status == HttpStatusCode.BadRequest, $"{name} {field}: {reply}");
            Assert.Equal(ProblemCodes.InvalidUrl, reply.Str("code"));
            Assert.Equal(field, reply.Str("field"));
            Assert.Contains(reason, reply.Str("detail"), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task PublicProviderUrl_OutsideDevMode_IsAccepted()
    {
        var reply = await Create(new { display_name = "public", preset = "custom", issuer_url = "https://93.184.215.14/issuer" });

        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
    }

    private Task<Reply> Create(object body) => fixture.Node.Http.SendJsonAsync(HttpMethod.Post, "/api/v1/providers", fixture.AdminToken, body);
}
