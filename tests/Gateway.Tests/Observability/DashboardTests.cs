using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using WorkloadFederation.Client.Telemetry;
using WorkloadFederation.Federation.Telemetry;
using WorkloadFederation.Gateway.Telemetry;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Gateway.Tests.Observability;

/// <summary>
/// The Grafana dashboard and the instrument table of docs/operations.md cannot drift from the code: both are checked
/// against the <c>wif.*</c> instruments the node's and the SDK's meters actually create.
/// </summary>
public sealed partial class DashboardTests
{
    private static readonly string[] PrometheusSuffixes = ["_bucket", "_sum", "_count", "_total"];

    [Fact]
    public void Dashboard_EveryMetricItQueries_IsAnInstrumentOfTheNode()
    {
        var instruments = NodeInstruments();
        var expected = instruments.ToDictionary(PrometheusName, i => i.Name, StringComparer.Ordinal);
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "grafana-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .Concat(dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Where(v => v.TryGetProperty("query", out var q) && q.ValueKind == JsonValueKind.String)
                .Select(v => v.GetProperty("query").GetString()!))
            .ToList();

        var queried = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        var unknown = queried.Where(name => !expected.ContainsKey(Series(name, expected))).ToList();

        Assert.True(queried.Count >= 10, $"the dashboard queries only {queried.Count} wif metrics");
        Assert.True(unknown.Count == 0, "the dashboard queries metrics no instrument produces: " + string.Join(", ", unknown));
        // Every node instrument is on the dashboard.
        var shown = queried.Select(name => expected[Series(name, expected)]).ToHashSet(StringComparer.Ordinal);
        var missing = instruments.Where(i => i.Meter.Name != ClientTelemetry.Name && !shown.Contains(i.Name)).Select(i => i.Name).ToList();
        Assert.True(missing.Count == 0, "node instruments missing from the dashboard: " + string.Join(", ", missing));
    }

    [Fact]
    public void OperationsDoc_ListsEveryInstrumentAndNoOther()
    {
        var instruments = NodeInstruments().Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "operations.md"));
        // The instrument section, up to the paragraph on spans (whose names are not instruments).
        var start = doc.IndexOf("### The `wif.*` instruments", StringComparison.Ordinal);
        var end = doc.IndexOf("Spans:", start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/operations.md has no instrument section");
        doc = doc[start..end];

        var documented = DocumentedInstrument().Matches(doc).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        Assert.True(instruments.Count >= 15, $"only {instruments.Count} instruments found; is the meter listener seeing them?");
        Assert.Empty(instruments.Except(documented));
        Assert.Empty(documented.Except(instruments));
    }

    [Fact]
    public void Instruments_AreNamedWifAndLiveInTheProjectsMeters()
    {
        var instruments = NodeInstruments();

        Assert.All(instruments, i => Assert.Matches("^wif\\.[a-z_.]+$", i.Name));
        // One name, one instrument: Prometheus would merge two meters' instruments of the same name.
        Assert.Equal(instruments.Count, instruments.Select(i => i.Name).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>Every instrument of the gateway's, Federation's and the SDK's meters, seen through a meter listener.</summary>
    private static List<Instrument> NodeInstruments()
    {
        using var gateway = new GatewayTelemetry();
        RuntimeHelpers.RunClassConstructor(typeof(FederationTelemetry).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(ClientTelemetry).TypeHandle);
        var meters = new HashSet<string>(StringComparer.Ordinal) { GatewayTelemetry.Name, FederationTelemetry.Name, ClientTelemetry.Name };
        var found = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (meters.Contains(instrument.Meter.Name))
                {
                    lock (found)
                    {
                        found.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        lock (found)
        {
            // Other tests may create more GatewayTelemetry instances (one per node): keep one instrument per meter and name.
            return [.. found.GroupBy(i => (i.Meter.Name, i.Name)).Select(g => g.First())];
        }
    }

    /// <summary>The Prometheus exporter's base name: dots to underscores, <c>_milliseconds</c> for ms histograms, <c>_total</c> for counters.</summary>
    private static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        return instrument.Unit == "ms" ? name + "_milliseconds" : name;
    }

    /// <summary>A queried series name without its Prometheus suffix, when that leaves a known base name.</summary>
    private static string Series(string queried, Dictionary<string, string> known)
    {
        foreach (var suffix in PrometheusSuffixes)
        {
            if (queried.EndsWith(suffix, StringComparison.Ordinal) && known.ContainsKey(queried[..^suffix.Length]))
            {
                return queried[..^suffix.Length];
            }
        }

        return queried;
    }

    [GeneratedRegex("\\bwif_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex("`(wif\\.[a-z_.]+)`")]
    private static partial Regex DocumentedInstrument();
}
