namespace WorkloadFederation.Grains;

/// <summary>Names of the grain storage providers the grains use; the silo registers one per mode under each name.</summary>
public static class GrainStorageNames
{
    /// <summary>Grain state that is not catalog (a provider's last good keys): embedded store, Redis or Azure Table.</summary>
    public const string State = "wif-state";
}
