using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WorkloadFederation.Federation.Telemetry;

/// <summary>
/// The one <see cref="ActivitySource"/> and one <see cref="Meter"/> of the Federation assembly (STYLE.md "Logging and
/// telemetry"). Instruments are named <c>wif.*</c>; tags carry reason codes and grant types, never token content.
/// </summary>
public static class FederationTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "WorkloadFederation.Federation";

    /// <summary>Spans: one per grant decision, per snapshot apply.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name);

    /// <summary>The meter.</summary>
    public static Meter Meter { get; } = new(Name);

    /// <summary>Token decisions, tagged <c>grant</c>, <c>outcome</c> and <c>reason</c>.</summary>
    public static Counter<long> TokenDecisions { get; } =
        Meter.CreateCounter<long>("wif.token.decisions", description: "Token endpoint decisions by grant, outcome and reason.");

    /// <summary>Time to decide one grant, milliseconds.</summary>
    public static Histogram<double> GrantDuration { get; } =
        Meter.CreateHistogram<double>("wif.grant.duration", unit: "ms", description: "Time to decide one grant in process (the gateway's wif.token.duration adds HTTP).");

    /// <summary>Audit events dropped because the buffer was full.</summary>
    public static Counter<long> AuditDropped { get; } =
        Meter.CreateCounter<long>("wif.audit.dropped", description: "Audit events dropped because the in-memory buffer was full.");

    /// <summary>Token requests that waited for the audit log to catch up (back-pressure).</summary>
    public static Counter<long> AuditBackPressureWaits { get; } =
        Meter.CreateCounter<long>("wif.audit.backpressure.waits", description: "Token requests held because the audit log was behind.");

    /// <summary>Token requests refused because the audit log did not catch up within the back-pressure timeout.</summary>
    public static Counter<long> AuditBackPressureRefusals { get; } =
        Meter.CreateCounter<long>("wif.audit.backpressure.refused", description: "Token requests refused (temporarily unavailable) because the audit log could not keep up.");

    /// <summary>Audit events written to the store.</summary>
    public static Counter<long> AuditWritten { get; } =
        Meter.CreateCounter<long>("wif.audit.written", description: "Audit events appended to the store.");

    /// <summary>Snapshot applications (incremental or full), tagged <c>kind</c>.</summary>
    public static Counter<long> SnapshotUpdates { get; } =
        Meter.CreateCounter<long>("wif.snapshot.updates", description: "Snapshot rebuilds by kind (full, incremental).");

    /// <summary>Time from a change-feed wake-up to the new snapshot being current, milliseconds.</summary>
    public static Histogram<double> SnapshotApplyDuration { get; } =
        Meter.CreateHistogram<double>("wif.snapshot.apply.duration", unit: "ms", description: "Time to read and apply changes.");
}
