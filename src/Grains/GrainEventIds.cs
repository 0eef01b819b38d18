namespace WorkloadFederation.Grains;

/// <summary>Event ids of the grains and the silo-local views (5000–5999), in one place.</summary>
internal static class GrainEventIds
{
    public const int ProviderKeysPersistFailed = 5001;
    public const int ProviderKeysPersistedIgnored = 5002;
    public const int ProviderViewGrainCallFailed = 5010;
    public const int ProviderViewPushRejected = 5011;
    public const int ProviderViewEvicted = 5012;
}
