using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.IssuedTokens;

internal static partial class Log
{
    [LoggerMessage(FederationEventIds.SigningKeyCreated, LogLevel.Information, "Created signing key {KeyId} for issued tokens")]
    public static partial void SigningKeyCreated(ILogger logger, string keyId);

    [LoggerMessage(FederationEventIds.SigningKeyRotated, LogLevel.Information, "Rotated signing keys: {NewKeyId} active, {RetiredCount} retired key(s) published until {PublishedUntil}")]
    public static partial void SigningKeyRotated(ILogger logger, string newKeyId, int retiredCount, DateTimeOffset publishedUntil);
}
