using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>
/// An in-memory OpenTelemetry exporter installed into a node beside its own wiring: the node's
/// <c>AddNodeTelemetry</c> describes sources, meters and instrumentation; this adds a provider of each signal that
/// exports into lists, so a test sees exactly what an OTLP collector would receive.
/// </summary>
public sealed class CapturedTelemetry
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly List<MetricSnapshot> _metrics = [];
    private IServiceProvider? _services;

    public void Install(WebApplicationBuilder builder) =>
        builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddInMemoryExporter(new QueueCollection(_spans)))
            .WithMetrics(m => m.AddInMemoryExporter(_metrics));

    /// <summary>Remembers the node's services so that <see cref="Flush"/> can reach its providers.</summary>
    public void Attach(IServiceProvider services) => _services = services;

    /// <summary>Exports what is pending (spans end synchronously; metrics are collected now).</summary>
    public void Flush()
    {
        _services?.GetService<TracerProvider>()?.ForceFlush(5000);
        _services?.GetService<MeterProvider>()?.ForceFlush(5000);
    }

    public IReadOnlyList<Activity> Spans => [.. _spans];

    public IReadOnlyList<MetricSnapshot> Metrics
    {
        get
        {
            lock (_metrics)
            {
                return [.. _metrics];
            }
        }
    }

    /// <summary>Every exported span and data point as text: names, tags, events, status, metric labels.</summary>
    public string Text()
    {
        Flush();
        var text = new StringBuilder();
        foreach (var span in Spans)
        {
            text.Append("span ").Append(span.Source.Name).Append(' ').Append(span.DisplayName).Append(' ').Append(span.StatusDescription).AppendLine();
            foreach (var tag in span.TagObjects)
            {
                text.Append("  ").Append(tag.Key).Append('=').Append(tag.Value).AppendLine();
            }

            foreach (var e in span.Events)
            {
                text.Append("  event ").Append(e.Name).AppendLine();
                foreach (var tag in e.Tags)
                {
                    text.Append("    ").Append(tag.Key).Append('=').Append(tag.Value).AppendLine();
                }
            }

            foreach (var baggage in span.Baggage)
            {
                text.Append("  baggage ").Append(baggage.Key).Append('=').Append(baggage.Value).AppendLine();
            }
        }

        foreach (var metric in Metrics)
        {
            foreach (var point in metric.MetricPoints)
            {
                text.Append("metric ").Append(metric.Name);
                foreach (var tag in point.Tags)
                {
                    text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }

    /// <summary>Distinct values per metric label key, over every exported point of the node's <c>wif.*</c> instruments.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> WifLabelValues()
    {
        Flush();
        var values = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var metric in Metrics.Where(m => m.Name.StartsWith("wif.", StringComparison.Ordinal)))
        {
            foreach (var point in metric.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    var key = metric.Name + " " + tag.Key;
                    if (!values.TryGetValue(key, out var set))
                    {
                        values[key] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(tag.Value?.ToString() ?? string.Empty);
                }
            }
        }

        return values;
    }

    private sealed class QueueCollection(ConcurrentQueue<Activity> queue) : ICollection<Activity>
    {
        public int Count => queue.Count;

        public bool IsReadOnly => false;

        public void Add(Activity item) => queue.Enqueue(item);

        public void Clear() => queue.Clear();

        public bool Contains(Activity item) => queue.Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => queue.ToArray().CopyTo(array, arrayIndex);

        public bool Remove(Activity item) => throw new NotSupportedException("the capture only grows");

        public IEnumerator<Activity> GetEnumerator() => queue.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
