namespace WorkloadFederation.Gateway.Telemetry;

/// <summary>Every log event id of the gateway, in one place (STYLE.md).</summary>
internal static class LogEventIds
{
    public const int NodeStarting = 1000;
    public const int BootstrapCreated = 1001;
    public const int BootstrapSkipped = 1002;
    public const int DevIssuerProviderCreated = 1003;
    public const int ReadinessChanged = 1004;
    public const int TokenIssued = 2000;
    public const int TokenDenied = 2001;
    public const int RateLimited = 2002;
    public const int TenantlessAudit = 2003;
    public const int AdminChange = 3000;
    public const int AdminDenied = 3001;
    public const int BackgroundFailure = 4000;
    public const int ReplayPurged = 4001;
    public const int ReplayPurgeFailed = 4002;
    public const int Unhandled = 9000;
    public const int BadRequestBody = 9001;
}
