using System.Collections.Concurrent;
using System.Diagnostics;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Storage.Sql;
using static WorkloadFederation.Storage.Tests.Contract.Samples;

namespace WorkloadFederation.Storage.Tests.Contract;

/// <summary>
/// The store contract (src/Federation/Store/StorePorts.cs), run against every dialect by the derived classes.
/// Each test uses its own tenants, so tests sharing the class database do not see each other's entities.
/// </summary>
public abstract class StoreContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : StoreFixture
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected TFixture Fixture { get; } = fixture;

    private IFederationStore Store => Fixture.Store;

    // ---- Migrations --------------------------------------------------------------------------------------

    [Fact]
    public async Task Migrate_RunAgain_AppliesEachMigrationOnceAndKeepsData()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);
        var version = await Store.GetVersionAsync(None);

        await Store.MigrateAsync(None);

        var applied = await ((SqlFederationStore)Store).ReadAppliedMigrationsAsync(None);
        Assert.Equal(EmbeddedMigrationVersions(Store), applied.Select(m => m.Version));
        Assert.Equal(version, await Store.GetVersionAsync(None));
        Assert.Contains((await Store.LoadAsync(None)).Tenants, t => t.Domain == tenant);
    }

    [Fact]
    public async Task Migrate_SeveralInstancesAtOnceOnAnEmptyDatabase_AllSucceedAndApplyOnce()
    {
        await using var target = await Fixture.CreateTargetAsync();
        var stores = Enumerable.Range(0, 6).Select(_ => target.Open(Fixture.Time)).ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(None))));

            var applied = await ((SqlFederationStore)stores[0]).ReadAppliedMigrationsAsync(None);
            Assert.Equal(EmbeddedMigrationVersions(stores[0]), applied.Select(m => m.Version));
            Assert.Equal(0, await stores[1].GetVersionAsync(None));
            Assert.Equal(1, await stores[2].CreateTenantAsync(Tenant("fresh.example.com"), None));
            Assert.Single((await stores[3].LoadAsync(None)).Tenants);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    // ---- Tenants ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task CreateTenant_Twice_ConflictsWithDuplicate()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);

        var conflict = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateTenantAsync(Tenant(tenant), None));

        Assert.Equal("duplicate", conflict.Code);
    }

    [Fact]
    public async Task Save_UnknownTenant_IsNotFound()
    {
        var tenant = NewTenant();

        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.SaveProviderAsync(Provider(tenant, NewId("p")), None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.SavePrincipalAsync(Principal(tenant, NewId("sp")), None));
        await Assert.ThrowsAsync<StoreNotFoundException>(
            () => Store.SaveRevokedTokenAsync(new RevokedToken("jti1", tenant, T0.AddHours(1), T0), None));
    }

    // ---- CRUD --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Save_EveryEntityKind_LoadsBackWithEveryField()
    {
        var tenant = NewTenant();
        var provider = Provider(tenant, NewId("p"));
        var bareProvider = Provider(tenant, NewId("p"), jwksUri: null) with { DevelopmentIssuer = true, AllowedAlgorithms = [] };
        var principal = Principal(tenant, NewId("sp"));
        var credential = Credential(tenant, NewId("c"), principal.Id, NewClientId(tenant));
        var revoked = Credential(tenant, NewId("c"), principal.Id, NewClientId(tenant), revokedAt: T0.AddMinutes(3));
        var trust = Trust(tenant, NewId("tr"), principal.Id, provider.Id, NewClientId(tenant));
        var key = SigningKey(NewId("kid"));
        var retiredKey = SigningKey(NewId("kid"), retiredAt: T0.AddDays(2));
        var token = new RevokedToken(NewId("jti"), tenant, T0.AddHours(1), T0);

        var versions = new List<long>
        {
            await Store.CreateTenantAsync(Tenant(tenant), None),
            await Store.SaveProviderAsync(provider, None),
            await Store.SaveProviderAsync(bareProvider, None),
            await Store.SavePrincipalAsync(principal, None),
            await Store.SaveCredentialAsync(credential, None),
            await Store.SaveCredentialAsync(revoked, None),
            await Store.SaveTrustAsync(trust, None),
            await Store.SaveSigningKeyAsync(key, None),
            await Store.SaveSigningKeyAsync(retiredKey, None),
            await Store.SaveRevokedTokenAsync(token, None),
        };

        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
        var state = await Store.LoadAsync(None);
        Assert.True(state.Version >= versions[^1]);
        AssertSameEntity(Tenant(tenant), state.Tenants.Single(t => t.Domain == tenant));
        AssertSameEntity(provider, state.Providers.Single(p => p.Tenant == tenant && p.Id == provider.Id));
        AssertSameEntity(bareProvider, state.Providers.Single(p => p.Tenant == tenant && p.Id == bareProvider.Id));
        AssertSameEntity(principal, state.Principals.Single(p => p.Tenant == tenant));
        AssertSameEntity(credential, state.Credentials.Single(c => c.Tenant == tenant && c.Id == credential.Id));
        AssertSameEntity(revoked, state.Credentials.Single(c => c.Tenant == tenant && c.Id == revoked.Id));
        AssertSameEntity(trust, state.Trusts.Single(t => t.Tenant == tenant));
        AssertSameEntity(key, state.SigningKeys.Single(k => k.KeyId == key.KeyId));
        AssertSameEntity(retiredKey, state.SigningKeys.Single(k => k.KeyId == retiredKey.KeyId));
        AssertSameEntity(token, state.RevokedTokens.Single(t => t.Tenant == tenant));
    }

    [Fact]
    public async Task Save_SubMicrosecondTimes_AreKeptToTheMicrosecond()
    {
        var tenant = NewTenant();
        var precise = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        await Store.CreateTenantAsync(new Tenant(tenant, precise), None);

        var loaded = (await Store.LoadAsync(None)).Tenants.Single(t => t.Domain == tenant);

        Assert.Equal(precise.UtcTicks - 7, loaded.CreatedAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, loaded.CreatedAt.Offset);
    }

    /// <summary>A new tenant with one provider, principal, credential and trust, all saved.</summary>
    private async Task<(string Tenant, Provider Provider, ServicePrincipal Principal, Credential Credential, Trust Trust)> SeedOneOfEachAsync()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);
        var provider = Provider(tenant, NewId("p"));
        var principal = Principal(tenant, NewId("sp"));
        var credential = Credential(tenant, NewId("c"), principal.Id, NewClientId(tenant));
        var trust = Trust(tenant, NewId("tr"), principal.Id, provider.Id, NewClientId(tenant));
        await Store.SaveProviderAsync(provider, None);
        await Store.SavePrincipalAsync(principal, None);
        await Store.SaveCredentialAsync(credential, None);
        await Store.SaveTrustAsync(trust, None);
        return (tenant, provider, principal, credential, trust);
    }

    [Fact]
    public async Task Save_TokensNotBefore_RoundTripsThroughLoadAndTheChangeFeed()
    {
        var (_, _, principal, credential, trust) = await SeedOneOfEachAsync();
        var from = await Store.GetVersionAsync(None);
        var notBefore = T0.AddHours(2);

        await Store.SavePrincipalAsync(principal with { Enabled = false, TokensNotBefore = notBefore }, None);
        await Store.SaveCredentialAsync(credential with { TokensNotBefore = notBefore.AddSeconds(1) }, None);
        await Store.SaveTrustAsync(trust with { TokensNotBefore = notBefore.AddSeconds(2) }, None);

        var state = await Store.LoadAsync(None);
        Assert.Equal(notBefore, state.Principals.Single(p => p.Id == principal.Id).TokensNotBefore);
        Assert.Equal(notBefore.AddSeconds(1), state.Credentials.Single(c => c.Id == credential.Id).TokensNotBefore);
        Assert.Equal(notBefore.AddSeconds(2), state.Trusts.Single(t => t.Id == trust.Id).TokensNotBefore);
        var changes = (await Store.ReadChangesAsync(from, 100, None)).Changes;
        Assert.Equal(notBefore, changes.Select(c => c.Current).OfType<ServicePrincipal>().Single(p => p.Id == principal.Id).TokensNotBefore);
        Assert.Equal(notBefore.AddSeconds(2), changes.Select(c => c.Current).OfType<Trust>().Single(t => t.Id == trust.Id).TokensNotBefore);
    }

    [Fact]
    public async Task Save_WithExpectedRevision_WritesOnlyWhileTheReadRevisionIsCurrent()
    {
        var (tenant, provider, principal, credential, trust) = await SeedOneOfEachAsync();
        var read = await Store.LoadAsync(None);
        var readPrincipal = read.Principals.Single(p => p.Id == principal.Id);

        // Node A writes first, from the revision both nodes read.
        var byA = readPrincipal with { DisplayName = "by node A", UpdatedAt = readPrincipal.UpdatedAt.AddSeconds(1) };
        await Store.SavePrincipalAsync(byA, None, expectedUpdatedAt: readPrincipal.UpdatedAt);

        // Node B, still holding the old revision, must not overwrite A's change.
        var byB = readPrincipal with { Enabled = false, UpdatedAt = readPrincipal.UpdatedAt.AddSeconds(2) };
        var stale = await Assert.ThrowsAsync<StoreConflictException>(
            () => Store.SavePrincipalAsync(byB, None, expectedUpdatedAt: readPrincipal.UpdatedAt));
        Assert.Equal("stale", stale.Code);

        // Every kind follows the same rule.
        var readProvider = read.Providers.Single(p => p.Id == provider.Id);
        var readCredential = read.Credentials.Single(c => c.Id == credential.Id);
        var readTrust = read.Trusts.Single(t => t.Id == trust.Id);
        var later = T0.AddDays(10);
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.SaveProviderAsync(readProvider with { UpdatedAt = later }, None, expectedUpdatedAt: later));
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.SaveCredentialAsync(readCredential with { UpdatedAt = later }, None, expectedUpdatedAt: later));
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.SaveTrustAsync(readTrust with { UpdatedAt = later }, None, expectedUpdatedAt: later));
        await Store.SaveTrustAsync(readTrust with { Enabled = false, UpdatedAt = later }, None, expectedUpdatedAt: readTrust.UpdatedAt);

        // A revision-checked write of something deleted meanwhile is not found (a PATCH racing a DELETE does not resurrect it).
        await Store.DeleteCredentialAsync(tenant, credential.Id, None);
        await Assert.ThrowsAsync<StoreNotFoundException>(
            () => Store.SaveCredentialAsync(readCredential with { DisplayName = "back?" }, None, expectedUpdatedAt: readCredential.UpdatedAt));

        var state = await Store.LoadAsync(None);
        var final = state.Principals.Single(p => p.Id == principal.Id);
        Assert.Equal("by node A", final.DisplayName);
        Assert.True(final.Enabled);
        Assert.False(state.Trusts.Single(t => t.Id == trust.Id).Enabled);
        Assert.DoesNotContain(state.Credentials, c => c.Id == credential.Id);
    }

    [Fact]
    public async Task Save_ExistingId_ReplacesTheEntity()
    {
        var (tenant, provider, principal, credential, trust) = await SeedOneOfEachAsync();
        var key = SigningKey(NewId("kid"));
        await Store.SaveSigningKeyAsync(key, None);

        var provider2 = provider with { DisplayName = "renamed", AllowedAlgorithms = ["EdDSA"], JwksUri = null };
        var principal2 = principal with { Enabled = false, Roles = [], Owners = ["a", "b"] };
        var credential2 = credential with { RevokedAt = T0.AddDays(1), IpAllowlist = ["192.0.2.1/32"] };
        var trust2 = trust with { Condition = "true", Enabled = false, TokenLifetimeSeconds = 60 };
        var key2 = key with { RetiredAt = T0.AddDays(3), PublishedUntil = T0.AddDays(4) };
        await Store.SaveProviderAsync(provider2, None);
        await Store.SavePrincipalAsync(principal2, None);
        await Store.SaveCredentialAsync(credential2, None);
        await Store.SaveTrustAsync(trust2, None);
        await Store.SaveSigningKeyAsync(key2, None);

        var state = await Store.LoadAsync(None);
        AssertSameEntity(provider2, state.Providers.Single(p => p.Tenant == tenant));
        AssertSameEntity(principal2, state.Principals.Single(p => p.Tenant == tenant));
        AssertSameEntity(credential2, state.Credentials.Single(c => c.Tenant == tenant));
        AssertSameEntity(trust2, state.Trusts.Single(t => t.Tenant == tenant));
        AssertSameEntity(key2, state.SigningKeys.Single(k => k.KeyId == key.KeyId));
    }

    [Fact]
    public async Task SavePrincipalWithCredential_OneCall_CommitsBothAtOneVersion()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);
        var principal = Principal(tenant, NewId("sp"), "admin");
        var credential = Credential(tenant, NewId("c"), principal.Id, NewClientId(tenant));

        var version = await Store.SavePrincipalWithCredentialAsync(principal, credential, None);

        var batch = await Store.ReadChangesAsync(version - 1, 100, None);
        Assert.Equal(version, batch.Version);
        Assert.Equal([EntityKind.ServicePrincipal, EntityKind.Credential], batch.Changes.Select(c => c.Kind));
        Assert.All(batch.Changes, c => Assert.Equal(version, c.Version));
        AssertSameEntity(principal, batch.Changes[0].Current);
        AssertSameEntity(credential, batch.Changes[1].Current);
    }

    [Fact]
    public async Task SavePrincipalWithCredential_ClientIdTaken_CommitsNeither()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);
        var first = Principal(tenant, NewId("sp"));
        var clientId = NewClientId(tenant);
        await Store.SavePrincipalWithCredentialAsync(first, Credential(tenant, NewId("c"), first.Id, clientId), None);
        var version = await Store.GetVersionAsync(None);
        var second = Principal(tenant, NewId("sp"));

        var conflict = await Assert.ThrowsAsync<StoreConflictException>(
            () => Store.SavePrincipalWithCredentialAsync(second, Credential(tenant, NewId("c"), second.Id, clientId), None));

        Assert.Equal("duplicate_client_id", conflict.Code);
        Assert.DoesNotContain((await Store.LoadAsync(None)).Principals, p => p.Id == second.Id);
        Assert.DoesNotContain((await Store.ReadChangesAsync(version, 100, None)).Changes, c => c.Tenant == tenant);
    }

    [Fact]
    public async Task Delete_MissingEntity_IsNotFound()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);

        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.DeleteProviderAsync(tenant, "nope", None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.DeletePrincipalAsync(tenant, "nope", None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.DeleteCredentialAsync(tenant, "nope", None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.DeleteTrustAsync(tenant, "nope", None));
    }

    [Fact]
    public async Task Save_CredentialOrTrustWithoutItsPrincipalOrProvider_IsNotFound()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);
        var principal = Principal(tenant, NewId("sp"));
        await Store.SavePrincipalAsync(principal, None);

        await Assert.ThrowsAsync<StoreNotFoundException>(
            () => Store.SaveCredentialAsync(Credential(tenant, NewId("c"), "missing", NewClientId(tenant)), None));
        await Assert.ThrowsAsync<StoreNotFoundException>(
            () => Store.SaveTrustAsync(Trust(tenant, NewId("tr"), principal.Id, "missing", NewClientId(tenant)), None));
    }

    // ---- Tenant isolation ----------------------------------------------------------------------------------------

    [Fact]
    public async Task Delete_IdOfAnotherTenant_IsNotFoundAndLeavesItsEntity()
    {
        var (a, b) = (NewTenant(), NewTenant());
        await Store.CreateTenantAsync(Tenant(a), None);
        await Store.CreateTenantAsync(Tenant(b), None);
        var provider = Provider(a, NewId("p"));
        var principal = Principal(a, NewId("sp"));
        var credential = Credential(a, NewId("c"), principal.Id, NewClientId(a));
        var trust = Trust(a, NewId("tr"), principal.Id, provider.Id, NewClientId(a));
        await Store.SaveProviderAsync(provider, None);
        await Store.SavePrincipalAsync(principal, None);
        await Store.SaveCredentialAsync(credential, None);
        await Store.SaveTrustAsync(trust, None);

        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.DeleteTrustAsync(b, trust.Id, None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.DeleteCredentialAsync(b, credential.Id, None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.DeletePrincipalAsync(b, principal.Id, None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store.DeleteProviderAsync(b, provider.Id, None));

        var state = await Store.LoadAsync(None);
        AssertSameEntity(provider, state.Providers.Single(p => p.Tenant == a));
        AssertSameEntity(principal, state.Principals.Single(p => p.Tenant == a));
        AssertSameEntity(credential, state.Credentials.Single(c => c.Tenant == a));
        AssertSameEntity(trust, state.Trusts.Single(t => t.Tenant == a));
    }

    [Fact]
    public async Task Save_ReferenceToAnotherTenantsPrincipalOrProvider_IsNotFound()
    {
        var (a, b) = (NewTenant(), NewTenant());
        await Store.CreateTenantAsync(Tenant(a), None);
        await Store.CreateTenantAsync(Tenant(b), None);
        var provider = Provider(a, NewId("p"));
        var principal = Principal(a, NewId("sp"));
        await Store.SaveProviderAsync(provider, None);
        await Store.SavePrincipalAsync(principal, None);
        var ownPrincipal = Principal(b, NewId("sp"));
        await Store.SavePrincipalAsync(ownPrincipal, None);

        await Assert.ThrowsAsync<StoreNotFoundException>(
            () => Store.SaveCredentialAsync(Credential(b, NewId("c"), principal.Id, NewClientId(b)), None));
        await Assert.ThrowsAsync<StoreNotFoundException>(
            () => Store.SaveTrustAsync(Trust(b, NewId("tr"), ownPrincipal.Id, provider.Id, NewClientId(b)), None));
        await Assert.ThrowsAsync<StoreNotFoundException>(
            () => Store.SaveTrustAsync(Trust(b, NewId("tr"), principal.Id, provider.Id, NewClientId(b)), None));
        Assert.DoesNotContain((await Store.LoadAsync(None)).Credentials, c => c.Tenant == b);
    }

    [Fact]
    public async Task Save_SameIdInTwoTenants_KeepsTwoSeparateEntities()
    {
        var (a, b) = (NewTenant(), NewTenant());
        await Store.CreateTenantAsync(Tenant(a), None);
        await Store.CreateTenantAsync(Tenant(b), None);
        var id = NewId("sp");
        await Store.SavePrincipalAsync(Principal(a, id, "in a"), None);
        await Store.SavePrincipalAsync(Principal(b, id, "in b"), None);

        await Store.DeletePrincipalAsync(b, id, None);

        var principals = (await Store.LoadAsync(None)).Principals.Where(p => p.Id == id).ToList();
        Assert.Equal("in a", Assert.Single(principals).DisplayName);
        Assert.Equal(a, principals[0].Tenant);

        // The feed reports each tenant's own entity under the shared id.
        var version = await Store.SavePrincipalAsync(Principal(b, id, "in b again"), None);
        var change = Assert.Single((await Store.ReadChangesAsync(version - 1, 10, None)).Changes);
        Assert.Equal(b, change.Tenant);
        Assert.Equal("in b again", Assert.IsType<ServicePrincipal>(change.Current).DisplayName);
    }

    // ---- Cascades and conflicts ---------------------------------------------------------------------------------

    [Fact]
    public async Task DeletePrincipal_WithCredentialsAndTrusts_DeletesAllInOneVersionAndReportsEach()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);
        var provider = Provider(tenant, NewId("p"));
        var principal = Principal(tenant, NewId("sp"));
        var other = Principal(tenant, NewId("sp"));
        await Store.SaveProviderAsync(provider, None);
        await Store.SavePrincipalAsync(principal, None);
        await Store.SavePrincipalAsync(other, None);
        var credentials = Enumerable.Range(0, 3).Select(_ => Credential(tenant, NewId("c"), principal.Id, NewClientId(tenant))).ToList();
        var trusts = Enumerable.Range(0, 2).Select(_ => Trust(tenant, NewId("tr"), principal.Id, provider.Id, NewClientId(tenant))).ToList();
        var keptCredential = Credential(tenant, NewId("c"), other.Id, NewClientId(tenant));
        foreach (var c in credentials.Append(keptCredential))
        {
            await Store.SaveCredentialAsync(c, None);
        }

        foreach (var t in trusts)
        {
            await Store.SaveTrustAsync(t, None);
        }

        var version = await Store.DeletePrincipalAsync(tenant, principal.Id, None);

        var batch = await Store.ReadChangesAsync(version - 1, 100, None);
        Assert.Equal(version, batch.Version);
        Assert.Equal(6, batch.Changes.Count);
        Assert.All(batch.Changes, c => Assert.Equal(version, c.Version));
        Assert.All(batch.Changes, c => Assert.Null(c.Current));
        Assert.Equal(credentials.Select(c => c.Id).Order(), batch.Changes.Where(c => c.Kind == EntityKind.Credential).Select(c => c.Id).Order());
        Assert.Equal(trusts.Select(t => t.Id).Order(), batch.Changes.Where(c => c.Kind == EntityKind.Trust).Select(c => c.Id).Order());
        Assert.Equal(principal.Id, batch.Changes.Single(c => c.Kind == EntityKind.ServicePrincipal).Id);

        var state = await Store.LoadAsync(None);
        Assert.DoesNotContain(state.Principals, p => p.Id == principal.Id);
        Assert.Equal([keptCredential.Id], state.Credentials.Where(c => c.Tenant == tenant).Select(c => c.Id));
        Assert.DoesNotContain(state.Trusts, t => t.Tenant == tenant);

        // The deleted entities' client ids are free again.
        await Store.SaveCredentialAsync(Credential(tenant, NewId("c"), other.Id, credentials[0].ClientId), None);
        await Store.SaveTrustAsync(Trust(tenant, NewId("tr"), other.Id, provider.Id, trusts[0].ClientId), None);
    }

    [Fact]
    public async Task DeleteProvider_UsedByATrust_ConflictsWithProviderInUseUntilTheTrustIsGone()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);
        var provider = Provider(tenant, NewId("p"));
        var principal = Principal(tenant, NewId("sp"));
        var trust = Trust(tenant, NewId("tr"), principal.Id, provider.Id, NewClientId(tenant));
        await Store.SaveProviderAsync(provider, None);
        await Store.SavePrincipalAsync(principal, None);
        await Store.SaveTrustAsync(trust, None);

        var conflict = await Assert.ThrowsAsync<StoreConflictException>(() => Store.DeleteProviderAsync(tenant, provider.Id, None));
        Assert.Equal("provider_in_use", conflict.Code);
        Assert.Contains((await Store.LoadAsync(None)).Providers, p => p.Id == provider.Id);

        await Store.DeleteTrustAsync(tenant, trust.Id, None);
        var version = await Store.DeleteProviderAsync(tenant, provider.Id, None);

        var change = Assert.Single((await Store.ReadChangesAsync(version - 1, 10, None)).Changes);
        Assert.Equal((EntityKind.Provider, provider.Id, (object?)null), (change.Kind, change.Id, change.Current));
    }

    [Fact]
    public async Task Save_ClientIdUsedByAnotherCredentialOrTrustAnywhere_ConflictsWithDuplicateClientId()
    {
        var (a, b) = (NewTenant(), NewTenant());
        foreach (var t in new[] { a, b })
        {
            await Store.CreateTenantAsync(Tenant(t), None);
            await Store.SaveProviderAsync(Provider(t, "prov"), None);
            await Store.SavePrincipalAsync(Principal(t, "sp"), None);
        }

        var credential = Credential(a, NewId("c"), "sp", NewClientId(a));
        var trust = Trust(a, NewId("tr"), "sp", "prov", NewClientId(a));
        await Store.SaveCredentialAsync(credential, None);
        await Store.SaveTrustAsync(trust, None);

        var cases = new (string Name, Func<Task> Write)[]
        {
            ("credential reusing a credential's client id", () => Store.SaveCredentialAsync(Credential(a, NewId("c"), "sp", credential.ClientId), None)),
            ("trust reusing a credential's client id", () => Store.SaveTrustAsync(Trust(a, NewId("tr"), "sp", "prov", credential.ClientId), None)),
            ("credential reusing a trust's client id", () => Store.SaveCredentialAsync(Credential(a, NewId("c"), "sp", trust.ClientId), None)),
            ("other tenant's trust reusing it", () => Store.SaveTrustAsync(Trust(b, NewId("tr"), "sp", "prov", trust.ClientId), None)),
            ("other tenant's credential reusing it", () => Store.SaveCredentialAsync(Credential(b, NewId("c"), "sp", credential.ClientId), None)),
            ("same trust id in another tenant", () => Store.SaveTrustAsync(Trust(b, trust.Id, "sp", "prov", trust.ClientId), None)),
        };
        foreach (var (name, write) in cases)
        {
            var conflict = await Assert.ThrowsAsync<StoreConflictException>(write);
            Assert.True(conflict.Code == "duplicate_client_id", name);
        }

        // Re-saving the owner keeps its client id; changing it frees the old one.
        await Store.SaveCredentialAsync(credential with { DisplayName = "renamed" }, None);
        var newClientId = NewClientId(a);
        await Store.SaveTrustAsync(trust with { ClientId = newClientId }, None);
        await Store.SaveCredentialAsync(Credential(b, NewId("c"), "sp", trust.ClientId), None);
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.SaveCredentialAsync(Credential(b, NewId("c"), "sp", newClientId), None));
    }

    // ---- Change feed -----------------------------------------------------------------------------------------

    [Fact]
    public async Task ReadChanges_AfterWrites_ReportsEachInVersionOrderWithTheCurrentEntity()
    {
        var tenant = NewTenant();
        var start = await Store.CreateTenantAsync(Tenant(tenant), None);
        var provider = Provider(tenant, NewId("p"));
        var principal = Principal(tenant, NewId("sp"));
        var renamed = principal with { DisplayName = "renamed" };
        var key = SigningKey(NewId("kid"));
        var token = new RevokedToken(NewId("jti"), tenant, T0.AddHours(1), T0);
        var v1 = await Store.SaveProviderAsync(provider, None);
        var v2 = await Store.SavePrincipalAsync(principal, None);
        var v3 = await Store.SavePrincipalAsync(renamed, None);
        var v4 = await Store.DeleteProviderAsync(tenant, provider.Id, None);
        var v5 = await Store.SaveSigningKeyAsync(key, None);
        var v6 = await Store.SaveRevokedTokenAsync(token, None);

        var batch = await Store.ReadChangesAsync(start, 1000, None);

        Assert.Equal(v6, batch.Version);
        Assert.Equal([v1, v2, v3, v4, v5, v6], batch.Changes.Select(c => c.Version));
        Assert.Equal(
            [EntityKind.Provider, EntityKind.ServicePrincipal, EntityKind.ServicePrincipal, EntityKind.Provider, EntityKind.SigningKey, EntityKind.RevokedToken],
            batch.Changes.Select(c => c.Kind));
        Assert.Null(batch.Changes[0].Current);
        Assert.Null(batch.Changes[3].Current);
        AssertSameEntity(renamed, batch.Changes[1].Current);
        AssertSameEntity(renamed, batch.Changes[2].Current);
        AssertSameEntity(key, batch.Changes[4].Current);
        Assert.Equal(string.Empty, batch.Changes[4].Tenant);
        Assert.Equal(key.KeyId, batch.Changes[4].Id);
        AssertSameEntity(token, batch.Changes[5].Current);
        Assert.Equal((tenant, token.Jti), (batch.Changes[5].Tenant, batch.Changes[5].Id));

        var tenantChange = Assert.Single((await Store.ReadChangesAsync(start - 1, 1, None)).Changes);
        Assert.Equal((EntityKind.Tenant, tenant, tenant), (tenantChange.Kind, tenantChange.Tenant, tenantChange.Id));
        AssertSameEntity(Tenant(tenant), tenantChange.Current);

        var empty = await Store.ReadChangesAsync(await Store.GetVersionAsync(None), 10, None);
        Assert.Empty(empty.Changes);
        Assert.Equal(await Store.GetVersionAsync(None), empty.Version);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ChangeFeed_FollowedDuringRandomWrites_ReproducesTheEndState(int seed)
    {
        var random = new Random(seed);
        string[] tenants = [NewTenant(), NewTenant()];
        foreach (var t in tenants)
        {
            await Store.CreateTenantAsync(Tenant(t), None);
        }

        var start = await Store.LoadAsync(None);
        var replayed = Snapshot(start, tenants);
        var clientIds = Enumerable.Range(0, 6).Select(i => $"client-{seed}-{i}-{Guid.NewGuid():N}").ToArray();
        var cursor = start.Version;
        string Pick(string prefix, int count) => prefix + random.Next(count);

        for (var op = 0; op < 150; op++)
        {
            var tenant = tenants[random.Next(tenants.Length)];
            var before = await Store.GetVersionAsync(None);
            Func<Task<long>> write = random.Next(8) switch
            {
                0 => () => Store.SaveProviderAsync(Provider(tenant, Pick("p", 3)) with { DisplayName = "op" + op }, None),
                1 => () => Store.SavePrincipalAsync(Principal(tenant, Pick("sp", 3), "op" + op), None),
                2 => () => Store.SaveCredentialAsync(Credential(tenant, Pick("c", 5), Pick("sp", 3), clientIds[random.Next(clientIds.Length)]), None),
                3 => () => Store.SaveTrustAsync(Trust(tenant, Pick("tr", 5), Pick("sp", 3), Pick("p", 3), clientIds[random.Next(clientIds.Length)]), None),
                4 => () => Store.DeleteProviderAsync(tenant, Pick("p", 3), None),
                5 => () => Store.DeletePrincipalAsync(tenant, Pick("sp", 3), None),
                6 => () => Store.DeleteCredentialAsync(tenant, Pick("c", 5), None),
                _ => () => Store.DeleteTrustAsync(tenant, Pick("tr", 5), None),
            };
            try
            {
                Assert.Equal(before + 1, await write());
            }
            catch (Exception ex) when (ex is StoreConflictException or StoreNotFoundException)
            {
                Assert.Equal(before, await Store.GetVersionAsync(None));
            }

            // Follow the feed as a node does, a little behind the writes.
            if (random.Next(3) == 0)
            {
                cursor = await FollowAsync(cursor, await Store.GetVersionAsync(None));
            }
        }

        var end = await Store.LoadAsync(None);
        cursor = await FollowAsync(cursor, end.Version);

        var expected = Snapshot(end, tenants);
        Assert.Equal(expected.OrderBy(e => e.Key.ToString()), replayed.OrderBy(e => e.Key.ToString()));

        // Invariants the store enforces: one owner per client id, and no dangling reference.
        var mine = (Credentials: end.Credentials.Where(c => tenants.Contains(c.Tenant)).ToList(), Trusts: end.Trusts.Where(t => tenants.Contains(t.Tenant)).ToList());
        var used = mine.Credentials.Select(c => c.ClientId).Concat(mine.Trusts.Select(t => t.ClientId)).ToList();
        Assert.Equal(used.Count, used.Distinct().Count());
        Assert.All(mine.Credentials, c => Assert.Contains(end.Principals, p => p.Tenant == c.Tenant && p.Id == c.PrincipalId));
        Assert.All(mine.Trusts, t => Assert.Contains(end.Principals, p => p.Tenant == t.Tenant && p.Id == t.PrincipalId));
        Assert.All(mine.Trusts, t => Assert.Contains(end.Providers, p => p.Tenant == t.Tenant && p.Id == t.ProviderId));
        Assert.True(expected.Count > tenants.Length, "the random writes left some entities");

        async Task<long> FollowAsync(long from, long to)
        {
            while (from < to)
            {
                var batch = await Store.ReadChangesAsync(from, random.Next(1, 8), None);
                Assert.True(batch.Version > from);
                foreach (var change in batch.Changes.Where(c => tenants.Contains(c.Tenant)))
                {
                    if (change.Current is null)
                    {
                        replayed.Remove((change.Kind, change.Tenant, change.Id));
                    }
                    else
                    {
                        replayed[(change.Kind, change.Tenant, change.Id)] = Json(change.Current);
                    }
                }

                from = batch.Version;
            }

            return from;
        }

        static string Json(object entity) => System.Text.Json.JsonSerializer.Serialize(entity, entity.GetType());

        static Dictionary<(EntityKind, string, string), string> Snapshot(StoreState state, string[] tenants)
        {
            var map = new Dictionary<(EntityKind, string, string), string>();
            foreach (var t in state.Tenants.Where(t => tenants.Contains(t.Domain)))
            {
                map[(EntityKind.Tenant, t.Domain, t.Domain)] = Json(t);
            }

            foreach (var p in state.Providers.Where(p => tenants.Contains(p.Tenant)))
            {
                map[(EntityKind.Provider, p.Tenant, p.Id)] = Json(p);
            }

            foreach (var p in state.Principals.Where(p => tenants.Contains(p.Tenant)))
            {
                map[(EntityKind.ServicePrincipal, p.Tenant, p.Id)] = Json(p);
            }

            foreach (var c in state.Credentials.Where(c => tenants.Contains(c.Tenant)))
            {
                map[(EntityKind.Credential, c.Tenant, c.Id)] = Json(c);
            }

            foreach (var t in state.Trusts.Where(t => tenants.Contains(t.Tenant)))
            {
                map[(EntityKind.Trust, t.Tenant, t.Id)] = Json(t);
            }

            return map;
        }
    }

    [Fact]
    public async Task ReadChanges_LimitInsideACommit_NeverSplitsTheCommit()
    {
        var tenant = NewTenant();
        await Store.CreateTenantAsync(Tenant(tenant), None);
        var principal = Principal(tenant, NewId("sp"));
        await Store.SavePrincipalAsync(principal, None);
        for (var i = 0; i < 3; i++)
        {
            await Store.SaveCredentialAsync(Credential(tenant, NewId("c"), principal.Id, NewClientId(tenant)), None);
        }

        var single = await Store.SavePrincipalAsync(Principal(tenant, NewId("sp")), None);
        var cascade = await Store.DeletePrincipalAsync(tenant, principal.Id, None);

        // The limit (3) cuts the 4-change cascade: the batch ends before it.
        var first = await Store.ReadChangesAsync(single - 1, 3, None);
        Assert.Equal(single, first.Version);
        Assert.Single(first.Changes);

        // A commit larger than the limit on its own comes whole.
        var second = await Store.ReadChangesAsync(first.Version, 3, None);
        Assert.Equal(cascade, second.Version);
        Assert.Equal(4, second.Changes.Count);
    }

    [Fact]
    public async Task ReadChanges_PagedByOne_SeesTheSameAsOneRead()
    {
        var tenant = NewTenant();
        var start = await Store.CreateTenantAsync(Tenant(tenant), None);
        for (var i = 0; i < 7; i++)
        {
            await Store.SavePrincipalAsync(Principal(tenant, "sp" + (i % 3), "name " + i), None);
        }

        var all = await Store.ReadChangesAsync(start, 1000, None);
        var paged = new List<EntityChange>();
        var cursor = start;
        while (cursor < all.Version)
        {
            var page = await Store.ReadChangesAsync(cursor, 1, None);
            Assert.True(page.Version > cursor);
            paged.AddRange(page.Changes);
            cursor = page.Version;
        }

        Assert.Equal(all.Changes.Select(c => (c.Version, c.Id)), paged.Select(c => (c.Version, c.Id)));
    }

    [Fact]
    public async Task ReadChanges_BadArguments_AreRefused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadChangesAsync(0, 0, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadChangesAsync(-1, 10, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadChangesAsync(0, SqlFederationStore.MaxChangeBatch + 1, None));
    }

    [Fact]
    public async Task Versions_EightConcurrentWriters_AreUniqueAndAReaderSeesEveryChangeOnceInOrder()
    {
        const int Writers = 8;
        const int WritesEach = 50;
        var tenants = Enumerable.Range(0, Writers).Select(_ => NewTenant()).ToList();
        var start = await Store.GetVersionAsync(None);
        foreach (var t in tenants)
        {
            await Store.CreateTenantAsync(Tenant(t), None);
        }

        var afterSetup = await Store.GetVersionAsync(None);
        var returned = new ConcurrentBag<(long Version, string Tenant, string Id)>();
        using var writersDone = new CancellationTokenSource();

        // A reader follows the feed while the writers run: because version order is commit order, it must see
        // consecutive versions, never a later one before an earlier one.
        var seen = new List<EntityChange>();
        var reader = Task.Run(async () =>
        {
            var cursor = afterSetup;
            while (true)
            {
                var done = writersDone.IsCancellationRequested;
                var batch = await Store.ReadChangesAsync(cursor, 37, None);
                foreach (var change in batch.Changes)
                {
                    Assert.True(change.Version == cursor || change.Version == cursor + 1, $"version {change.Version} after {cursor}");
                    cursor = change.Version;
                    seen.Add(change);
                }

                if (done && batch.Changes.Count == 0)
                {
                    return;
                }
            }
        });

        var writers = tenants.Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < WritesEach; i++)
            {
                var id = "sp" + i;
                returned.Add((await Store.SavePrincipalAsync(Principal(t, id, "n" + i), None), t, id));
            }
        }));
        await Task.WhenAll(writers);
        await writersDone.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Writers * WritesEach, returned.Select(r => r.Version).Distinct().Count());
        Assert.Equal(start + Writers + (Writers * WritesEach), await Store.GetVersionAsync(None));
        Assert.Equal(returned.OrderBy(r => r.Version).Select(r => (r.Version, r.Tenant, r.Id)), seen.Select(c => (c.Version, c.Tenant, c.Id)));
    }

    // ---- Waking ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task WaitForChange_WriteThroughAnotherInstance_WakesTheWaiterPromptly()
    {
        await using var other = Fixture.Target.Open(Fixture.Time);
        await Fixture.Target.PrepareToWaitAsync(other);
        await other.WaitForChangeAsync(TimeSpan.Zero, None); // consume a wake-up latched before this test

        var waiting = other.WaitForChangeAsync(TimeSpan.FromSeconds(120), None);
        Assert.False(waiting.IsCompleted);
        var clock = Stopwatch.StartNew();
        await Store.CreateTenantAsync(Tenant(NewTenant()), None);

        var first = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.Same(waiting, first);
        await waiting;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"woken after {clock.Elapsed}");
    }

    [Fact]
    public async Task WaitForChange_InfiniteTimeout_ReturnsOnAWrite()
    {
        await using var other = Fixture.Target.Open(Fixture.Time);
        await Fixture.Target.PrepareToWaitAsync(other);
        await other.WaitForChangeAsync(TimeSpan.Zero, None);

        var waiting = other.WaitForChangeAsync(Timeout.InfiniteTimeSpan, None);
        Assert.False(waiting.IsCompleted);
        await Store.CreateTenantAsync(Tenant(NewTenant()), None);

        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(20))));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => other.WaitForChangeAsync(TimeSpan.FromSeconds(-5), None));
    }

    [Fact]
    public async Task WaitForChange_StoreDisposed_WakesTheWaiter()
    {
        var other = Fixture.Target.Open(Fixture.Time);
        await Fixture.Target.PrepareToWaitAsync(other);
        await other.WaitForChangeAsync(TimeSpan.Zero, None);
        var waiting = other.WaitForChangeAsync(TimeSpan.FromMinutes(5), None);
        Assert.False(waiting.IsCompleted);

        await other.DisposeAsync();

        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(20))));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => other.WaitForChangeAsync(TimeSpan.FromSeconds(1), None));
    }

    [Fact]
    public async Task WaitForChange_NothingCommitted_ReturnsAfterTheTimeout()
    {
        await using var other = Fixture.Target.Open(Fixture.Time);
        await Fixture.Target.PrepareToWaitAsync(other);
        await other.WaitForChangeAsync(TimeSpan.Zero, None);

        var clock = Stopwatch.StartNew();
        await other.WaitForChangeAsync(TimeSpan.FromMilliseconds(200), None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"returned after {clock.Elapsed}");
    }

    [Fact]
    public async Task WaitForChange_Cancelled_Throws()
    {
        using var cancel = new CancellationTokenSource();
        await Store.WaitForChangeAsync(TimeSpan.Zero, None);
        var waiting = Store.WaitForChangeAsync(TimeSpan.FromMinutes(5), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    // ---- Durability --------------------------------------------------------------------------------------------

    [Fact]
    public async Task Reopen_AfterClose_KeepsEveryAcknowledgedWrite()
    {
        await using var target = await Fixture.CreateTargetAsync();
        var tenant = NewTenant();
        var principal = Principal(tenant, NewId("sp"));
        var credential = Credential(tenant, NewId("c"), principal.Id, NewClientId(tenant));
        var key = SigningKey(NewId("kid"));
        long version;
        await using (var first = target.Open(Fixture.Time))
        {
            await first.MigrateAsync(None);
            await first.CreateTenantAsync(Tenant(tenant), None);
            await first.SavePrincipalWithCredentialAsync(principal, credential, None);
            version = await first.SaveSigningKeyAsync(key, None);
            await first.AppendAsync([Audit(tenant, 1), Audit(tenant, 2)], None);
            Assert.True(await first.TryMarkAsync("jti-durable", Fixture.Time.GetUtcNow().AddMinutes(5), None));
        }

        await using var second = target.Open(Fixture.Time);
        await second.MigrateAsync(None);
        var state = await second.LoadAsync(None);
        Assert.Equal(version, state.Version);
        AssertSameEntity(principal, Assert.Single(state.Principals));
        AssertSameEntity(credential, Assert.Single(state.Credentials));
        AssertSameEntity(key, Assert.Single(state.SigningKeys));
        Assert.Equal(2, (await second.QueryAsync(tenant, 0, 10, None)).Events.Count);
        Assert.False(await second.TryMarkAsync("jti-durable", Fixture.Time.GetUtcNow().AddMinutes(5), None));
        Assert.Equal(version + 1, await second.SavePrincipalAsync(principal with { Enabled = false }, None));
    }

    // ---- Replay marks --------------------------------------------------------------------------------------------

    [Fact]
    public async Task TryMark_SameKeyTwice_RefusesTheSecond()
    {
        var key = NewId("jti");
        var expires = Fixture.Time.GetUtcNow().AddMinutes(5);

        Assert.True(await Store.TryMarkAsync(key, expires, None));
        Assert.False(await Store.TryMarkAsync(key, expires, None));
        Assert.False(await Store.TryMarkAsync(key, expires.AddHours(1), None));
    }

    [Fact]
    public async Task TryMark_AfterTheMarkExpired_AcceptsTheKeyAgain()
    {
        var key = NewId("jti");
        var now = Fixture.Time.GetUtcNow();
        var time = new TestSupport.ManualTimeProvider(now);
        await using var store = Fixture.Target.Open(time);
        Assert.True(await store.TryMarkAsync(key, now.AddMinutes(5), None));

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(await store.TryMarkAsync(key, now.AddMinutes(10), None));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await store.TryMarkAsync(key, now.AddMinutes(15), None));
        Assert.False(await store.TryMarkAsync(key, now.AddMinutes(15), None));
    }

    [Fact]
    public async Task TryMark_SameKeyConcurrentlyFromTwoInstances_ExactlyOneWins()
    {
        await using var other = Fixture.Target.Open(Fixture.Time);
        var expires = Fixture.Time.GetUtcNow().AddMinutes(5);
        for (var round = 0; round < 5; round++)
        {
            var key = NewId("jti");
            var attempts = Enumerable.Range(0, 16)
                .Select(i => Task.Run(() => (i % 2 == 0 ? Store : other).TryMarkAsync(key, expires, None)));

            var results = await Task.WhenAll(attempts);

            Assert.Equal(1, results.Count(r => r));
        }
    }

    [Fact]
    public async Task TryMark_BurstOfKeysEachSentFourTimes_ExactlyOneWinsPerKey()
    {
        // A burst large enough that the marks are committed together (SQLite groups concurrent marks in one
        // transaction): a key repeated inside one group is still a replay after its first use.
        var expires = Fixture.Time.GetUtcNow().AddMinutes(5);
        var keys = Enumerable.Range(0, 100).Select(_ => NewId("jti")).ToArray();
        var attempts = Enumerable.Range(0, 400)
            .Select(i => Task.Run(async () => (Key: keys[i % keys.Length], Won: await Store.TryMarkAsync(keys[i % keys.Length], expires, None))));

        var results = await Task.WhenAll(attempts);

        Assert.All(results.GroupBy(r => r.Key), g => Assert.Equal(1, g.Count(r => r.Won)));
    }

    [Fact]
    public async Task PurgeExpired_RemovesOnlyExpiredMarks()
    {
        var now = Fixture.Time.GetUtcNow();
        var past = now.AddYears(-10);
        var (old1, old2, live) = (NewId("jti"), NewId("jti"), NewId("jti"));
        var time = new TestSupport.ManualTimeProvider(past.AddMinutes(-1));
        await using var store = Fixture.Target.Open(time);
        Assert.True(await store.TryMarkAsync(old1, past, None));
        Assert.True(await store.TryMarkAsync(old2, past.AddSeconds(1), None));
        Assert.True(await store.TryMarkAsync(live, now.AddYears(10), None));

        var purged = await store.PurgeExpiredAsync(past.AddSeconds(30), None);

        Assert.True(purged >= 2, $"purged {purged}");
        Assert.False(await store.TryMarkAsync(live, now.AddYears(10), None));
        Assert.True(await store.TryMarkAsync(old1, past.AddMinutes(5), None));
    }

    [Fact]
    public async Task TryMark_BadKey_IsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.TryMarkAsync(string.Empty, T0, None));
        await Assert.ThrowsAsync<ArgumentException>(
            () => Store.TryMarkAsync(new string('k', SqlFederationStore.MaxReplayKeyLength + 1), T0, None));
    }

    // ---- Audit ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Audit_AppendThenQuery_ReturnsTheTenantsEventsInOrderWithEveryField()
    {
        var (a, b) = (NewTenant(), NewTenant());
        var events = Enumerable.Range(0, 6).Select(i => Audit(i % 2 == 0 ? a : b, i)).ToList();

        await Store.AppendAsync(events, None);

        var page = await Store.QueryAsync(a, 0, 100, None);
        Assert.Null(page.Next);
        Assert.Equal(3, page.Events.Count);
        Assert.Equal(page.Events.Select(e => e.Id).Order(), page.Events.Select(e => e.Id));
        for (var i = 0; i < 3; i++)
        {
            AssertSameEntity(events[i * 2], page.Events[i].Event);
        }

        Assert.All((await Store.QueryAsync(b, 0, 100, None)).Events, e => Assert.Equal(b, e.Event.Tenant));
        Assert.Empty((await Store.QueryAsync(NewTenant(), 0, 100, None)).Events);
    }

    [Fact]
    public async Task Audit_Ids_AreEachTenantsOwnNumbersWhateverOtherTenantsWrite()
    {
        var (a, b) = (NewTenant(), NewTenant());
        await Store.AppendAsync([Audit(a, 0), Audit(a, 1)], None);
        await Store.AppendAsync([.. Enumerable.Range(0, 7).Select(i => Audit(b, i)), Audit(a, 2)], None);
        await Store.AppendAsync([Audit(b, 7), Audit(a, 3)], None);

        Assert.Equal([1L, 2, 3, 4], (await Store.QueryAsync(a, 0, 100, None)).Events.Select(e => e.Id));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], (await Store.QueryAsync(b, 0, 100, None)).Events.Select(e => e.Id));
        Assert.Equal([3L, 4], (await Store.QueryAsync(a, 2, 100, None)).Events.Select(e => e.Id));
    }

    [Fact]
    public async Task Audit_TwoInstancesAppendingToOneTenantAtOnce_NumberItsEventsOneToNWithoutGapsOrRepeats()
    {
        // Two nodes' writers race on one tenant, each batch also carrying another tenant's events; every batch is
        // numbered inside its insert, so the shared tenant must still see 1..N once each and each of its batches as
        // one consecutive run in its own order.
        const int Batches = 20;
        var (shared, a, b) = (NewTenant(), NewTenant(), NewTenant());
        await using var other = Fixture.Target.Open(Fixture.Time);
        await Task.WhenAll(new[] { (Store, a), (other, b) }.Select(w => Task.Run(async () =>
        {
            var (store, own) = w;
            for (var i = 0; i < Batches; i++)
            {
                var tag = (own == a ? 0 : 1000) + (i * 10);
                await store.AppendAsync([Audit(shared, tag), Audit(own, tag), Audit(shared, tag + 1), Audit(shared, tag + 2)], None);
            }
        })));

        var events = (await Store.QueryAsync(shared, 0, 1000, None)).Events;
        Assert.Equal(Enumerable.Range(1, Batches * 2 * 3).Select(n => (long)n), events.Select(e => e.Id));
        for (var i = 0; i < events.Count; i += 3)
        {
            var tag = int.Parse(events[i].Event.PrincipalId!["sp_".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(["sp_" + tag, "sp_" + (tag + 1), "sp_" + (tag + 2)], events.Skip(i).Take(3).Select(e => e.Event.PrincipalId));
        }

        Assert.Equal(Enumerable.Range(1, Batches).Select(n => (long)n), (await other.QueryAsync(b, 0, 1000, None)).Events.Select(e => e.Id));
    }

    [Fact]
    public async Task Audit_QueryWithCursor_PagesThroughEveryEventOnce()
    {
        var tenant = NewTenant();
        await Store.AppendAsync(Enumerable.Range(0, 10).Select(i => Audit(tenant, i)).ToList(), None);
        await Store.AppendAsync(Enumerable.Range(10, 3).Select(i => Audit(tenant, i)).ToList(), None);

        var details = new List<string?>();
        long after = 0;
        var pages = 0;
        while (true)
        {
            var page = await Store.QueryAsync(tenant, after, 4, None);
            pages++;
            details.AddRange(page.Events.Select(e => e.Event.Detail));
            if (page.Next is not { } next)
            {
                break;
            }

            Assert.Equal(page.Events[^1].Id, next);
            after = next;
        }

        Assert.Equal(4, pages);
        Assert.Equal(Enumerable.Range(0, 13).Select(i => "event " + i), details);
    }

    [Fact]
    public async Task Audit_LimitAboveTheMaximum_IsCapped()
    {
        var tenant = NewTenant();
        await Store.AppendAsync(Enumerable.Range(0, SqlFederationStore.MaxAuditPage + 5).Select(i => Audit(tenant, i)).ToList(), None);

        var page = await Store.QueryAsync(tenant, 0, int.MaxValue, None);

        Assert.Equal(SqlFederationStore.MaxAuditPage, page.Events.Count);
        Assert.NotNull(page.Next);
        Assert.Equal(5, (await Store.QueryAsync(tenant, page.Next.Value, 100, None)).Events.Count);
    }

    [Fact]
    public async Task Audit_TextWithNulAndControlCharacters_IsStoredWithNulReplacedOnBothEngines()
    {
        // PostgreSQL refuses U+0000 in text; a verified token's sub may hold one. The store keeps the event.
        var tenant = NewTenant();
        const string Hostile = "a\u0000b\u0001\u001b[31m\u007f\u0085\u2028c";
        var hostile = Audit(tenant, 1) with { Subject = Hostile, Detail = Hostile, ClientId = Hostile, Reason = "r\u0000" };

        await Store.AppendAsync([hostile, Audit(tenant, 2)], None);

        var page = await Store.QueryAsync(tenant, 0, 10, None);
        Assert.Equal(2, page.Events.Count);
        var expected = Hostile.Replace('\u0000', StoreText.NulReplacement);
        Assert.Equal(expected, page.Events[0].Event.Subject);
        Assert.Equal(expected, page.Events[0].Event.Detail);
        Assert.Equal(expected, page.Events[0].Event.ClientId);
        Assert.Equal("r\uFFFD", page.Events[0].Event.Reason);
        Assert.Equal("event 2", page.Events[1].Event.Detail);
    }

    [Fact]
    public async Task Audit_BadArguments_AreRefused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.QueryAsync("x.example.com", 0, 0, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.QueryAsync("x.example.com", -1, 10, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryAsync(string.Empty, 0, 10, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync([Audit(string.Empty, 1)], None));
        await Store.AppendAsync([], None);
    }

    [Fact]
    public async Task Audit_ConcurrentAppendsWhileAReaderPages_TheReaderSeesEveryEventOnce()
    {
        const int Appenders = 4;
        const int Batches = 25;
        var tenant = NewTenant();
        using var appendersDone = new CancellationTokenSource();
        var seen = new List<StoredAuditEvent>();
        var reader = Task.Run(async () =>
        {
            long after = 0;
            while (true)
            {
                var done = appendersDone.IsCancellationRequested;
                var page = await Store.QueryAsync(tenant, after, 50, None);
                seen.AddRange(page.Events);
                if (page.Events.Count > 0)
                {
                    after = page.Events[^1].Id;
                }

                if (done && page.Events.Count == 0)
                {
                    return;
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Appenders).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < Batches; i++)
            {
                await Store.AppendAsync([Audit(tenant, (w * 1000) + (i * 2)), Audit(tenant, (w * 1000) + (i * 2) + 1)], None);
            }
        })));
        await appendersDone.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Appenders * Batches * 2, seen.Count);
        Assert.Equal(seen.Count, seen.Select(e => e.Id).Distinct().Count());
        Assert.Equal(seen.Select(e => e.Id).Order(), seen.Select(e => e.Id));
    }

    // ---- Grain state (embedded grain storage) -------------------------------------------------------------------

    [Fact]
    public async Task GrainState_WriteThenRead_ReturnsThePayloadAndTheNewEtag()
    {
        var id = "providerkeys/" + NewTenant() + "/prv_1";
        Assert.Null(await Store.ReadGrainStateAsync("provider-keys", id, None));

        var etag = await Store.WriteGrainStateAsync("provider-keys", id, new byte[] { 1, 2, 3 }, expectedETag: null, None);
        var stored = await Store.ReadGrainStateAsync("provider-keys", id, None);

        Assert.NotNull(stored);
        Assert.Equal(new byte[] { 1, 2, 3 }, stored.Payload.ToArray());
        Assert.Equal(etag, stored.ETag);
        var next = await Store.WriteGrainStateAsync("provider-keys", id, new byte[] { 4 }, etag, None);
        Assert.NotEqual(etag, next);
        Assert.Equal(new byte[] { 4 }, (await Store.ReadGrainStateAsync("provider-keys", id, None))!.Payload.ToArray());
    }

    [Fact]
    public async Task GrainState_WriteWithAStaleOrMissingEtag_IsAConflictAndKeepsTheStoredState()
    {
        var id = "providerkeys/" + NewTenant() + "/prv_1";
        var first = await Store.WriteGrainStateAsync("provider-keys", id, new byte[] { 1 }, null, None);
        var second = await Store.WriteGrainStateAsync("provider-keys", id, new byte[] { 2 }, first, None);

        await Assert.ThrowsAsync<GrainState.GrainStateConflictException>(() => Store.WriteGrainStateAsync("provider-keys", id, new byte[] { 3 }, first, None));
        await Assert.ThrowsAsync<GrainState.GrainStateConflictException>(() => Store.WriteGrainStateAsync("provider-keys", id, new byte[] { 3 }, null, None));
        await Assert.ThrowsAsync<GrainState.GrainStateConflictException>(() => Store.ClearGrainStateAsync("provider-keys", id, first, None));

        var stored = await Store.ReadGrainStateAsync("provider-keys", id, None);
        Assert.Equal(second, stored!.ETag);
        Assert.Equal(new byte[] { 2 }, stored.Payload.ToArray());
    }

    [Fact]
    public async Task GrainState_ClearWithTheCurrentEtag_RemovesOnlyThatGrainsState()
    {
        var tenant = NewTenant();
        var etag = await Store.WriteGrainStateAsync("provider-keys", tenant + "/a", new byte[] { 1 }, null, None);
        await Store.WriteGrainStateAsync("provider-keys", tenant + "/b", new byte[] { 2 }, null, None);

        await Store.ClearGrainStateAsync("provider-keys", tenant + "/a", etag, None);

        Assert.Null(await Store.ReadGrainStateAsync("provider-keys", tenant + "/a", None));
        Assert.NotNull(await Store.ReadGrainStateAsync("provider-keys", tenant + "/b", None));
    }

    [Fact]
    public async Task GrainState_OversizedPayload_IsRefusedNamingTheLimit()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Store.WriteGrainStateAsync("provider-keys", NewTenant(), new byte[(512 * 1024) + 1], null, None));

        Assert.Contains("at most 524288 bytes", error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<int> EmbeddedMigrationVersions(IFederationStore store) =>
        Migrations.Migrator.Load(((SqlFederationStore)store).SqlDialect.MigrationFolder).Select(m => m.Version);
}

public sealed class SqliteStoreContractTests(SqliteStoreFixture fixture) : StoreContractTests<SqliteStoreFixture>(fixture);

public sealed class PostgresStoreContractTests(PostgresStoreFixture fixture) : StoreContractTests<PostgresStoreFixture>(fixture);
