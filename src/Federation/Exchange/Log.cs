using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.Exchange;

internal static partial class Log
{
    [LoggerMessage(FederationEventIds.GrantIssued, LogLevel.Debug, "Token exchange issued jti {Jti} for client {ClientId}")]
    public static partial void ExchangeIssued(ILogger logger, string clientId, string jti);

    [LoggerMessage(FederationEventIds.GrantFault, LogLevel.Error, "No signing key can issue tokens; is the key-encryption key the cluster's?")]
    public static partial void SigningUnavailable(ILogger logger);
}
