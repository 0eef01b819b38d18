using System.Net;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// A dev node with one owner per built-in role (each owning nothing yet) and a provider; each matrix case creates
/// its own target principal with the case's roles, owned by the case's owner.
/// </summary>
public sealed class EscalationFixture : NodeFixture
{
    public Dictionary<string, (string Id, string Token)> Owners { get; } = [];

    public string Provider { get; private set; } = null!;

    protected override bool Dev => true;

    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var role in BuiltInRoles.All)
        {
            var owner = await AttackSupport.PrincipalAsync(this, "owner " + role, [role]);
            Owners[role] = (owner.Id, owner.Token);
        }

        var provider = await Node.Http.SendJsonAsync(HttpMethod.Post, "/api/v1/providers", AdminToken,
            new { display_name = "p", preset = "custom", issuer_url = "http://127.0.0.1:9/issuer" });
        Provider = provider.Str("id");
    }
}

/// <summary>
/// Attack class "escalation through ownership": an owner may create credentials and trusts for the principal it owns
/// only when their effective roles (principal roles ∩ scoped roles) lie within the owner's own roles. The matrix is
/// owner role × target roles × scoped roles, for both credentials and trusts; docs/security.md cites it.
/// </summary>
public sealed class EscalationTests(EscalationFixture fixture) : IClassFixture<EscalationFixture>
{
    private const string Super = BuiltInRoles.SuperAdmin;
    private const string Reader = BuiltInRoles.ReadOnlyAdministrator;
    private const string Logs = BuiltInRoles.ReadOnlySystemLogs;
    private const string Basic = BuiltInRoles.BasicUser;

    /// <summary>(case, owner's role, target's roles, scoped roles or null for none, allowed).</summary>
    public static TheoryData<string, string, string[], string[]?, bool> Matrix() => new()
    {
        { "basic_owner_super_target_unscoped", Basic, [Super], null, false },
        { "basic_owner_super_target_scoped_to_super", Basic, [Super, Basic], [Super], false },
        { "basic_owner_super_target_scoped_to_basic", Basic, [Super, Basic], [Basic], true },
        { "basic_owner_basic_target_unscoped", Basic, [Basic], null, true },
        { "basic_owner_reader_target_unscoped", Basic, [Reader], null, false },
        { "basic_owner_roleless_target_unscoped", Basic, [], null, true },
        { "logs_owner_reader_and_logs_target_unscoped", Logs, [Reader, Logs], null, false },
        { "logs_owner_reader_and_logs_target_scoped_to_logs", Logs, [Reader, Logs], [Logs], true },
        { "reader_owner_super_target_unscoped", Reader, [Super], null, false },
        { "reader_owner_reader_target_unscoped", Reader, [Reader], null, true },
        { "super_owner_super_target_unscoped", Super, [Super], null, true },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Escalation_OwnerCreatesCredentialAndTrust_OnlyWithinItsOwnRoles(string name, string ownerRole, string[] targetRoles, string[]? scoped, bool allowed)
    {
        var owner = fixture.Owners[ownerRole];
        var target = await fixture.Node.Http.SendJsonAsync(HttpMethod.Post, "/api/v1/service-principals", fixture.AdminToken,
            new { display_name = name, roles = targetRoles, owners = new[] { owner.Id } });
        Assert.True(target.Status == HttpStatusCode.Created, target.ToString());
        var path = $"/api/v1/service-principals/{target.Str("id")}";

        var credential = await fixture.Node.Http.SendJsonAsync(HttpMethod.Post, path + "/credentials", owner.Token,
            scoped is null ? new { display_name = "c" } : new { display_name = "c", scoped_roles = scoped });
        var trust = await fixture.Node.Http.SendJsonAsync(HttpMethod.Post, path + "/trusts", owner.Token,
            scoped is null
                ? new { display_name = "t", provider_id = fixture.Provider, condition = "true" }
                : new { display_name = "t", provider_id = fixture.Provider, condition = "true", scoped_roles = scoped });

        var expected = allowed ? HttpStatusCode.Created : HttpStatusCode.Forbidden;
        Assert.True(credential.Status == expected, $"{name} credential: {credential}");
        Assert.True(trust.Status == expected, $"{name} trust: {trust}");
        if (!allowed)
        {
            Assert.Contains("roles", credential.Str("detail"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Escalation_OwnerWidensScopedRolesByPatch_IsRefused()
    {
        var owner = fixture.Owners[Basic];
        var target = await fixture.Node.Http.SendJsonAsync(HttpMethod.Post, "/api/v1/service-principals", fixture.AdminToken,
            new { display_name = "patch target", roles = new[] { Super, Basic }, owners = new[] { owner.Id } });
        var path = $"/api/v1/service-principals/{target.Str("id")}";
        var credential = await fixture.Node.Http.SendJsonAsync(HttpMethod.Post, path + "/credentials", owner.Token, new { display_name = "c", scoped_roles = new[] { Basic } });
        Assert.True(credential.Status == HttpStatusCode.Created, credential.ToString());

        var widened = await fixture.Node.Http.SendJsonAsync(HttpMethod.Patch, $"{path}/credentials/{credential.Str("id")}", owner.Token,
            new { scoped_roles = new[] { Super } });
        var emptied = await fixture.Node.Http.SendJsonAsync(HttpMethod.Patch, $"{path}/credentials/{credential.Str("id")}", owner.Token,
            new { scoped_roles = Array.Empty<string>() });

        Assert.True(widened.Status == HttpStatusCode.Forbidden, widened.ToString());
        Assert.True(emptied.Status == HttpStatusCode.Forbidden, $"no scoped roles means all of the principal's: {emptied}");
    }
}
