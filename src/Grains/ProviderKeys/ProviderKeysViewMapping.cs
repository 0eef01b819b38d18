using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Grains.Abstractions.ProviderKeys;

namespace WorkloadFederation.Grains.ProviderKeys;

/// <summary>Conversions between the domain's provider key source and its serialised view.</summary>
internal static class ProviderKeysViewMapping
{
    public static ProviderKeySourceView ToView(this ProviderKeySource source) =>
        new(source.ProviderId, source.Issuer, source.JwksUri, source.DevelopmentIssuer);

    public static ProviderKeySource ToSource(this ProviderKeySourceView view, string tenant) =>
        new(view.ProviderId, view.Issuer, view.JwksUri, view.DevelopmentIssuer) { Tenant = tenant };

    public static bool SameAs(this ProviderKeySourceView view, ProviderKeySource source) =>
        view.ProviderId == source.ProviderId && view.Issuer == source.Issuer && view.JwksUri == source.JwksUri
        && view.DevelopmentIssuer == source.DevelopmentIssuer;
}
