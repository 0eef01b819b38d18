// A frozen copy of the grant handlers as they were before the one-pipeline refactor, kept only so that
// GrantBenchmarks measures before and after in one BenchmarkDotNet run. Not used by the product.
using Microsoft.Extensions.Logging;

namespace WorkloadFederation.Benchmarks.Exchange.Baseline;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Token exchange denied for client {ClientId}: {Reason}")]
    public static partial void ExchangeDenied(ILogger logger, string? clientId, string reason);

    [LoggerMessage(2, LogLevel.Debug, "Token exchange issued jti {Jti} for client {ClientId}")]
    public static partial void ExchangeIssued(ILogger logger, string clientId, string jti);

    [LoggerMessage(3, LogLevel.Error, "No signing key")]
    public static partial void SigningUnavailable(ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "Client credentials denied for client {ClientId}: {Reason}")]
    public static partial void ClientCredentialsDenied(ILogger logger, string? clientId, string reason);

    [LoggerMessage(5, LogLevel.Warning, "The replay store failed")]
    public static partial void ReplayStoreFailed(ILogger logger, Exception exception);
}
