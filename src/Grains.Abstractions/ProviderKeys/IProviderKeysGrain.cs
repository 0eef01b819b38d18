using Orleans.Concurrency;

namespace WorkloadFederation.Grains.Abstractions.ProviderKeys;

/// <summary>
/// The one JWKS fetcher and refresher of a provider for the whole cluster (DESIGN.md "Provider keys"). Keyed
/// <c>{tenant}/{provider id}</c> (<see cref="ProviderKeysGrainKey"/>). Silos hold views of its keys and call it only on
/// a miss or an unknown <c>kid</c>; it pushes every new version to the silos subscribed.
/// </summary>
[Alias("wif.IProviderKeysGrain")]
public interface IProviderKeysGrain : IGrainWithStringKey
{
    /// <summary>
    /// Subscribes <paramref name="observer"/> (or renews its subscription) and returns the current view, fetching the
    /// keys first when none are held. The subscription lapses unless renewed (the silo's resubscribe timer).
    /// </summary>
    [Alias("Subscribe")]
    Task<ProviderKeysView> SubscribeAsync(ProviderKeySourceView source, IProviderKeysObserver observer);

    /// <summary>Ends <paramref name="observer"/>'s subscription (its silo no longer serves this provider).</summary>
    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(IProviderKeysObserver observer);

    /// <summary>
    /// A token names a key the caller's view does not have: refetches once (shared by every caller, rate-limited per
    /// provider) unless the key is already known, and returns the current view.
    /// </summary>
    [Alias("ResolveUnknownKey")]
    Task<ProviderKeysView> ResolveUnknownKeyAsync(ProviderKeySourceView source, string? kid, string alg);
}

/// <summary>A silo's receiver of pushed provider key views.</summary>
[Alias("wif.IProviderKeysObserver")]
public interface IProviderKeysObserver : IGrainObserver
{
    /// <summary>A new version of a provider's view.</summary>
    [Alias("KeysChanged"), OneWay]
    Task KeysChanged(ProviderKeysView view);
}

/// <summary>The key of a provider grain: the tenant and the provider id, so no call can address another tenant's grain.</summary>
public static class ProviderKeysGrainKey
{
    /// <summary><c>{tenant}/{provider id}</c>.</summary>
    public static string For(string tenant, string providerId) => tenant + "/" + providerId;
}
