using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Admin.Common;

namespace WorkloadFederation.Gateway.Bootstrap;

/// <summary>The result of creating a tenant: its first Super Admin (secret shown once) and the store version.</summary>
public sealed record ProvisionedTenant(BootstrapAdmin Admin, long Version);

/// <summary>
/// Creates a tenant and its first Super Admin service principal with a client credential (API.md "tenant create" and the first-start
/// bootstrap). Used by first start and by <c>tenant create</c>.
/// </summary>
public static class TenantProvisioner
{
    public const string AdminDisplayName = "Bootstrap Super Admin";
    public const int AdminCredentialDays = 180;
    private const int ClientIdAttempts = 5;

    /// <summary>
    /// Creates <paramref name="domain"/>. Throws <see cref="StoreConflictException"/> (<c>duplicate</c>) when the tenant
    /// exists already — another node may have won a race.
    /// </summary>
    public static async Task<ProvisionedTenant> CreateAsync(IConfigurationStore store, string domain, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!TenantDomain.IsValid(domain))
        {
            throw new ArgumentException("The tenant must be a lower-case DNS host name such as 'acme.example.com'.", nameof(domain));
        }

        await store.CreateTenantAsync(new Tenant(domain, now), cancellationToken);
        var principal = new ServicePrincipal(
            AdminIds.New(AdminIds.ServicePrincipal), domain, AdminDisplayName, [BuiltInRoles.SuperAdmin], [], Enabled: true, now, now);
        var credentialId = AdminIds.New(AdminIds.Credential);
        var key = CredentialSecrets.Generate(domain, credentialId);
        for (var attempt = 1; ; attempt++)
        {
            var clientId = ClientIdGenerator.NewClientId(domain, ClientIdKind.Credential);
            var credential = new Credential(
                credentialId, domain, principal.Id, clientId, "Bootstrap credential", key.PublicKey,
                now.AddDays(AdminCredentialDays), [], [], RevokedAt: null, now, now);
            try
            {
                var version = await store.SavePrincipalWithCredentialAsync(principal, credential, cancellationToken);
                return new ProvisionedTenant(new BootstrapAdmin(domain, clientId, key.Secret), version);
            }
            catch (StoreConflictException ex) when (ex.Code != "duplicate" && attempt < ClientIdAttempts)
            {
                // A client id collision: draw another.
            }
        }
    }
}
