using NSec.Cryptography;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Network;
using WorkloadFederation.Federation.ProviderKeys;

namespace WorkloadFederation.Federation.Snapshot;

/// <summary>
/// A trust with everything the exchange needs precomputed (DESIGN.md "a trust owns its compiled program and IP
/// ranges"): its principal, provider, compiled condition, parsed allowlist and effective roles. Immutable.
/// </summary>
public sealed class CompiledTrust
{
    /// <summary>Default <c>expires_in</c> of a federated token (API.md).</summary>
    public const int DefaultLifetimeSeconds = 1800;

    /// <summary>Shortest configurable lifetime: shorter tokens would expire before a CI step could use them.</summary>
    public const int MinLifetimeSeconds = 60;

    /// <summary>Longest configurable lifetime: exchanged tokens stay short-lived (DESIGN.md).</summary>
    public const int MaxLifetimeSeconds = 3600;

    internal CompiledTrust(Trust trust, ServicePrincipal principal, Provider provider, CompiledCondition condition, IpAllowlist allowlist, IReadOnlyList<string> effectiveRoles)
    {
        Trust = trust;
        Principal = principal;
        Provider = provider;
        Condition = condition;
        IpAllowlist = allowlist;
        EffectiveRoles = effectiveRoles;
        Audience = string.IsNullOrEmpty(trust.Audience) ? trust.Tenant : trust.Audience;
        KeySource = ProviderKeySource.FromProvider(provider);
        LifetimeSeconds = trust.TokenLifetimeSeconds <= 0
            ? DefaultLifetimeSeconds
            : Math.Clamp(trust.TokenLifetimeSeconds, MinLifetimeSeconds, MaxLifetimeSeconds);
    }

    /// <summary>The trust.</summary>
    public Trust Trust { get; }

    /// <summary>Its service principal.</summary>
    public ServicePrincipal Principal { get; }

    /// <summary>Its provider.</summary>
    public Provider Provider { get; }

    /// <summary>The compiled condition (a stored condition that no longer compiles denies every exchange).</summary>
    public CompiledCondition Condition { get; }

    /// <summary>The parsed allowlist.</summary>
    public IpAllowlist IpAllowlist { get; }

    /// <summary>Principal roles ∩ scoped roles.</summary>
    public IReadOnlyList<string> EffectiveRoles { get; }

    /// <summary>Where the provider's keys come from (precomputed for the key cache).</summary>
    public ProviderKeySource KeySource { get; }

    /// <summary>The expected <c>aud</c> (the tenant domain by default).</summary>
    public string Audience { get; }

    /// <summary>The issued token's lifetime, 60..3600 s.</summary>
    public int LifetimeSeconds { get; }
}

/// <summary>A client credential with its parsed public key, allowlist and effective roles. Immutable.</summary>
public sealed class CompiledCredential
{
    internal CompiledCredential(Credential credential, ServicePrincipal principal, PublicKey? publicKey, IpAllowlist allowlist, IReadOnlyList<string> effectiveRoles)
    {
        Credential = credential;
        Principal = principal;
        PublicKey = publicKey;
        IpAllowlist = allowlist;
        EffectiveRoles = effectiveRoles;
    }

    /// <summary>The credential.</summary>
    public Credential Credential { get; }

    /// <summary>Its service principal.</summary>
    public ServicePrincipal Principal { get; }

    /// <summary>The parsed Ed25519 public key; null when the stored key is malformed (every login refused).</summary>
    public PublicKey? PublicKey { get; }

    /// <summary>The parsed allowlist.</summary>
    public IpAllowlist IpAllowlist { get; }

    /// <summary>Principal roles ∩ scoped roles.</summary>
    public IReadOnlyList<string> EffectiveRoles { get; }
}
