namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>
/// Raised inside the guarded connection callback when an outbound connection is refused by policy. Its message
/// names the rule (never a secret) and surfaces as the provider's fetch error.
/// </summary>
public sealed class OutboundFetchException(string message) : Exception(message);
