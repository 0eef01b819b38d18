using Microsoft.Extensions.Logging;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>Provider key log events (ids 2100-2199). Never logs key material or token content.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Provider {ProviderId}: fetched {KeyCount} usable keys ({SkippedCount} skipped), next refresh in {NextRefreshSeconds} s ({Trigger}).")]
    public static partial void FetchSucceeded(ILogger logger, string providerId, int keyCount, int skippedCount, long nextRefreshSeconds, string trigger);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Provider {ProviderId}: key fetch failed ({Trigger}), {KeyState}; retry in {RetrySeconds} s: {Error}")]
    public static partial void FetchFailed(ILogger logger, string providerId, string trigger, string keyState, long retrySeconds, string error);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "Provider {ProviderId}: unknown key id, refetch rate-limited.")]
    public static partial void UnknownKeyRateLimited(ILogger logger, string providerId);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Provider {ProviderId}: skipped a published key: {Reason}")]
    public static partial void KeySkipped(ILogger logger, string providerId, string reason);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Error, Message = "Provider {ProviderId}: key fetch failed with an unexpected exception.")]
    public static partial void FetchCrashed(ILogger logger, string providerId, Exception exception);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Error, Message = "Provider key refresh pass failed unexpectedly.")]
    public static partial void RefreshPassFailed(ILogger logger, Exception exception);
}
