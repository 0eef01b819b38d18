using RevokedToken = WorkloadFederation.Federation.Model.RevokedToken;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.TestSupport;
using Xunit;
using static WorkloadFederation.Federation.Tests.Snapshot.TestEntities;

namespace WorkloadFederation.Federation.Tests.Snapshot;

public sealed class SnapshotCompilerTests
{
    private readonly CountingConditionCompiler _conditions = new();
    private readonly ManualTimeProvider _time = new();
    private readonly SnapshotCompiler _compiler;

    public SnapshotCompilerTests() => _compiler = new SnapshotCompiler(_conditions, TestKeys.KeyEncryption, _time);

    private FederationSnapshot Initial() => _compiler.Build(State(
        5,
        TenantRecord(),
        TenantRecord(OtherTenant),
        Principal(roles: ["deploy", "read"]),
        Provider(),
        Trust(scopedRoles: ["deploy"], ipAllowlist: ["10.1.0.0/16"]),
        Trust("trust-2", condition: "false"),
        Credential(TestKeys.CredentialKey.PublicKey),
        Principal("sp-x", OtherTenant),
        Provider("prov-x", OtherTenant),
        Trust("trust-x", OtherTenant, "sp-x", "prov-x")));

    [Fact]
    public void Build_State_IndexesTrustsAndCredentialsByClientId()
    {
        var snapshot = Initial();

        Assert.Equal(5, snapshot.Version);
        Assert.True(snapshot.TryGetTrustByClientId(Trust().ClientId, out var trust));
        Assert.Equal("sp-1", trust.Principal.Id);
        Assert.Equal("prov-1", trust.Provider.Id);
        Assert.Equal(["deploy"], trust.EffectiveRoles);
        Assert.Equal(["10.1.0.0/16"], trust.IpAllowlist.Entries);
        Assert.Equal(1800, trust.LifetimeSeconds);
        Assert.Equal(Tenant, trust.Audience);
        Assert.True(snapshot.TryGetCredentialByClientId(Credential(TestKeys.CredentialKey.PublicKey).ClientId, out var credential));
        Assert.NotNull(credential.PublicKey);
        Assert.Equal(["deploy", "read"], credential.EffectiveRoles);
    }

    [Fact]
    public void Build_AdminReads_AreScopedToTheTenant()
    {
        var snapshot = Initial();

        Assert.Single(snapshot.GetPrincipals(Tenant));
        Assert.Equal(["sp-x"], snapshot.GetPrincipals(OtherTenant).Select(p => p.Id));
        Assert.False(snapshot.TryGetPrincipal(OtherTenant, "sp-1", out _));
        Assert.False(snapshot.TryGetCompiledTrust(Tenant, "trust-x", out _));
        Assert.Equal(["trust-1", "trust-2"], snapshot.GetTrusts(Tenant, "sp-1").Select(t => t.Id));
        Assert.Single(snapshot.GetCredentials(Tenant, "sp-1"));
        Assert.Empty(snapshot.GetCredentials(OtherTenant, "sp-1"));
    }

    [Fact]
    public void Build_SameConditionTwice_CompilesOnce()
    {
        Initial();

        Assert.Equal(2, _conditions.Compilations); // "true" and "false"
    }

    [Fact]
    public void Build_TrustWithMissingProvider_IsNotResolvable()
    {
        var snapshot = _compiler.Build(State(1, Principal(), Trust()));

        Assert.False(snapshot.TryGetTrustByClientId(Trust().ClientId, out _));
        Assert.True(snapshot.TryGetTrust(Tenant, "trust-1", out _));
    }

    [Theory]
    [InlineData(0, 1800)]
    [InlineData(30, 60)]
    [InlineData(900, 900)]
    [InlineData(7200, 3600)]
    public void Build_TrustLifetime_IsDefaultedAndClamped(int configured, int expected)
    {
        var snapshot = _compiler.Build(State(1, Principal(), Provider(), Trust(lifetime: configured)));

        Assert.True(snapshot.TryGetTrustByClientId(Trust().ClientId, out var trust));
        Assert.Equal(expected, trust.LifetimeSeconds);
    }

    [Fact]
    public void Apply_TrustDisabled_IsVisibleAndReusesTheCompiledCondition()
    {
        var snapshot = Initial();
        snapshot.TryGetTrustByClientId(Trust().ClientId, out var before);
        var compilations = _conditions.Compilations;

        var next = snapshot.Apply(new ChangeBatch(6, [Change(6, Trust(scopedRoles: ["deploy"], enabled: false))]));

        Assert.Equal(6, next.Version);
        Assert.True(next.TryGetTrustByClientId(Trust().ClientId, out var after));
        Assert.False(after.Trust.Enabled);
        Assert.Same(before.Condition, after.Condition);
        Assert.Equal(compilations, _conditions.Compilations);
        Assert.True(snapshot.TryGetTrustByClientId(Trust().ClientId, out var old));
        Assert.True(old.Trust.Enabled);
    }

    [Fact]
    public void Apply_ConditionChanged_Recompiles()
    {
        var snapshot = Initial();
        var compilations = _conditions.Compilations;

        var next = snapshot.Apply(new ChangeBatch(6, [Change(6, Trust(condition: "false"))]));

        Assert.Equal(compilations + 1, _conditions.Compilations);
        Assert.True(next.TryGetTrustByClientId(Trust().ClientId, out var trust));
        Assert.Equal("false", trust.Condition.Source);
    }

    [Fact]
    public void Apply_PrincipalChange_RederivesItsTrustsAndCredentials()
    {
        var snapshot = Initial();

        var next = snapshot.Apply(new ChangeBatch(6, [Change(6, Principal(enabled: false, roles: ["read"]))]));

        Assert.True(next.TryGetTrustByClientId(Trust().ClientId, out var trust));
        Assert.False(trust.Principal.Enabled);
        Assert.Empty(trust.EffectiveRoles); // scoped "deploy" ∩ {"read"}
        Assert.True(next.TryGetCredentialByClientId(Credential(TestKeys.CredentialKey.PublicKey).ClientId, out var credential));
        Assert.False(credential.Principal.Enabled);
        Assert.Equal(["read"], credential.EffectiveRoles);
    }

    [Fact]
    public void Apply_ProviderChange_RederivesItsTrusts()
    {
        var snapshot = Initial();

        var next = snapshot.Apply(new ChangeBatch(6, [Change(6, Provider(issuer: "https://gitlab.example.com"))]));

        Assert.True(next.TryGetTrustByClientId(Trust().ClientId, out var trust));
        Assert.Equal("https://gitlab.example.com", trust.Provider.IssuerUrl);
    }

    [Fact]
    public void Apply_DeletedPrincipalWithChildren_RemovesEverything()
    {
        var snapshot = Initial();

        var next = snapshot.Apply(new ChangeBatch(9,
        [
            Change(7, null, EntityKind.Trust, Tenant, "trust-1"),
            Change(8, null, EntityKind.Credential, Tenant, "cred-1"),
            Change(9, null, EntityKind.ServicePrincipal, Tenant, "sp-1"),
        ]));

        Assert.False(next.TryGetTrustByClientId(Trust().ClientId, out _));
        Assert.False(next.TryGetCredentialByClientId(Credential(TestKeys.CredentialKey.PublicKey).ClientId, out _));
        Assert.False(next.TryGetTrustByClientId(Trust("trust-2").ClientId, out _)); // dangling: principal gone
        Assert.Empty(next.GetPrincipals(Tenant));
        Assert.True(next.TryGetTrustByClientId(Trust("trust-x", OtherTenant, "sp-x", "prov-x").ClientId, out _));
    }

    [Fact]
    public void Apply_TrustClientIdReusedAfterDelete_IndexesTheNewTrust()
    {
        var snapshot = Initial();
        var clientId = Trust().ClientId;

        var next = snapshot.Apply(new ChangeBatch(7,
        [
            Change(6, null, EntityKind.Trust, Tenant, "trust-1"),
            Change(7, Trust("trust-9", clientId: clientId)),
        ]));

        Assert.True(next.TryGetTrustByClientId(clientId, out var trust));
        Assert.Equal("trust-9", trust.Trust.Id);
    }

    [Fact]
    public void Apply_SigningKeyAdded_RebuildsTheRing()
    {
        var snapshot = Initial();
        Assert.Null(snapshot.SigningKeys.Active);
        var key = TestKeys.NewSigningKey(_time.GetUtcNow());

        var next = snapshot.Apply(new ChangeBatch(6, [Change(6, key)]));

        Assert.Equal(key.KeyId, next.SigningKeys.Active!.KeyId);
    }

    [Fact]
    public void Apply_RevokedToken_IsKnownUntilItExpires()
    {
        var snapshot = Initial();
        var revoked = new RevokedToken("jti-1", Tenant, _time.GetUtcNow().AddMinutes(5), _time.GetUtcNow());

        var next = snapshot.Apply(new ChangeBatch(6, [Change(6, revoked)]));
        Assert.True(next.IsRevoked("jti-1"));

        _time.Advance(TimeSpan.FromMinutes(6));
        var later = next.Apply(new ChangeBatch(7, [Change(7, TenantRecord("third.example.com"))]));
        Assert.False(later.IsRevoked("jti-1"));
    }

    [Fact]
    public void Apply_WrongEntityType_ThrowsSnapshotApplyException()
    {
        var snapshot = Initial();

        Assert.Throws<SnapshotApplyException>(() =>
            snapshot.Apply(new ChangeBatch(6, [new EntityChange(6, EntityKind.Trust, Tenant, "trust-1", Principal())])));
    }

    [Fact]
    public async Task Apply_IncrementalAndFullBuild_Agree()
    {
        // Property over random change sequences: applying changes one batch at a time gives the same lookups as a
        // full build of the final state.
        var random = new Random(42);
        for (var run = 0; run < 30; run++)
        {
            var store = new InMemoryConfigurationStore();
            var compiler = new SnapshotCompiler(new CountingConditionCompiler(), TestKeys.KeyEncryption, _time);
            var snapshot = compiler.Empty();
            for (var step = 0; step < 25; step++)
            {
                var principal = $"sp-{random.Next(3)}";
                var trustId = $"trust-{random.Next(4)}";
                await (random.Next(6) switch
                {
                    0 => store.SavePrincipalAsync(Principal(principal, enabled: random.Next(2) == 0), default),
                    1 => store.SaveProviderAsync(Provider($"prov-{random.Next(2)}"), default),
                    2 => store.SaveTrustAsync(Trust(trustId, principalId: principal, providerId: $"prov-{random.Next(2)}", enabled: random.Next(2) == 0), default),
                    3 => store.DeleteTrustAsync(Tenant, trustId, default),
                    4 => store.DeletePrincipalAsync(Tenant, principal, default),
                    _ => store.SaveCredentialAsync(Credential(TestKeys.CredentialKey.PublicKey, $"cred-{random.Next(3)}", principalId: principal), default),
                });
                if (random.Next(3) == 0)
                {
                    snapshot = snapshot.Apply(await store.ReadChangesAsync(snapshot.Version, 1000, default));
                }
            }

            snapshot = snapshot.Apply(await store.ReadChangesAsync(snapshot.Version, 1000, default));
            var full = compiler.Build(await store.LoadAsync(default));

            Assert.Equal(full.Version, snapshot.Version);
            Assert.Equal(Describe(full), Describe(snapshot));
        }
    }

    private static string Describe(FederationSnapshot snapshot)
    {
        var parts = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            if (snapshot.TryGetTrustByClientId(Trust($"trust-{i}").ClientId, out var trust))
            {
                parts.Add($"{trust.Trust.Id}:{trust.Principal.Id}:{trust.Principal.Enabled}:{trust.Provider.Id}:{trust.Trust.Enabled}:{string.Join(",", trust.EffectiveRoles)}");
            }
        }

        for (var i = 0; i < 3; i++)
        {
            if (snapshot.TryGetCredentialByClientId(Credential(TestKeys.CredentialKey.PublicKey, $"cred-{i}").ClientId, out var credential))
            {
                parts.Add($"{credential.Credential.Id}:{credential.Principal.Id}:{credential.Principal.Enabled}");
            }
        }

        parts.Add(string.Join(",", snapshot.GetPrincipals(Tenant).Select(p => p.Id)));
        return string.Join("|", parts);
    }
}
