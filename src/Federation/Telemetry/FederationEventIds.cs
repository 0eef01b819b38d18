namespace WorkloadFederation.Federation.Telemetry;

/// <summary>Logging event ids of the Federation assembly, in one place (STYLE.md). Ranges per feature folder.</summary>
internal static class FederationEventIds
{
    // Snapshot 1000-1099
    public const int SnapshotLoaded = 1000;
    public const int SnapshotApplied = 1001;
    public const int SnapshotLoadFailed = 1002;
    public const int SnapshotApplyFailed = 1003;
    public const int SnapshotGap = 1004;
    public const int SigningKeyProblem = 1005;

    // Issued tokens 1100-1199
    public const int SigningKeyCreated = 1100;
    public const int SigningKeyRotated = 1101;
    public const int SigningKeyCreateFailed = 1102;

    // Grants 1200-1299
    public const int GrantDenied = 1200;
    public const int GrantIssued = 1201;
    public const int GrantFault = 1202;
    public const int ReplayStoreFailed = 1251;

    // Audit 1300-1399
    public const int AuditDropped = 1300;
    public const int AuditWriteFailed = 1301;
    public const int AuditFlushed = 1302;
    public const int AuditEventRejected = 1303;
    public const int AuditBackPressureTimeout = 1304;
}
