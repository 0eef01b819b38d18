using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace WorkloadFederation.LoadDriver;

/// <summary>
/// Sends requests with a fixed number in flight, bounded by count and duration, and records each latency.
/// The request for index i is built by <c>makeRequest(i)</c>, so every request can carry a distinct token.
/// </summary>
internal sealed class LoadRun(HttpClient http, int concurrency, TimeSpan maxDuration)
{
    public async Task<LoadReport> RunAsync(int count, Func<int, HttpRequestMessage> makeRequest, CancellationToken ct)
    {
        var latencies = new long[count];
        var statuses = new int[count];
        var finishedAt = new long[count];
        var next = -1;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(maxDuration);
        var wall = Stopwatch.StartNew();
        var wallStart = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, Math.Min(concurrency, count)).Select(async _ =>
        {
            int i;
            while (!deadline.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < count)
            {
                using var request = makeRequest(i);
                var start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request, deadline.Token);
                    await response.Content.LoadIntoBufferAsync(deadline.Token);
                    statuses[i] = (int)response.StatusCode;
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    statuses[i] = -1;
                    break;
                }
                catch (HttpRequestException)
                {
                    statuses[i] = 0;
                }

                var end = Stopwatch.GetTimestamp();
                latencies[i] = end - start;
                finishedAt[i] = end - wallStart;
            }
        });
        await Task.WhenAll(workers);
        wall.Stop();
        return LoadReport.From(latencies, statuses, finishedAt, wall.Elapsed);
    }
}

/// <summary>Throughput and latency percentiles of one run.</summary>
internal sealed record LoadReport(int Completed, int Succeeded, IReadOnlyDictionary<int, int> ByStatus, TimeSpan Elapsed,
    double P50Ms, double P90Ms, double P99Ms, double MaxMs, int InFlightAtDeadline, IReadOnlyList<int> PerSecond)
{
    public double RequestsPerSecond => Completed / Elapsed.TotalSeconds;

    /// <summary>
    /// Answered requests that were decided (and so audited): every answer but transport errors and 429, which is
    /// refused before any decision when the audit log is behind (rate limits are off in these runs).
    /// </summary>
    public int Decided => ByStatus.Where(p => p.Key is > 0 and not 429).Sum(p => p.Value);

    public static LoadReport From(long[] latencies, int[] statuses, long[] finishedAt, TimeSpan elapsed)
    {
        // Answers per whole second of the run (the last, partial second included): how fast it warms.
        var perSecond = new int[(int)elapsed.TotalSeconds + 1];
        var done = new List<double>(latencies.Length);
        var byStatus = new Dictionary<int, int>();
        for (var i = 0; i < latencies.Length; i++)
        {
            if (statuses[i] is 0 or > 0 && latencies[i] > 0)
            {
                done.Add(latencies[i] * 1000.0 / Stopwatch.Frequency);
                byStatus[statuses[i]] = byStatus.GetValueOrDefault(statuses[i]) + 1;
                perSecond[Math.Min(perSecond.Length - 1, (int)(finishedAt[i] / Stopwatch.Frequency))]++;
            }
        }

        done.Sort();
        double Percentile(double p) => done.Count == 0 ? 0 : done[Math.Min(done.Count - 1, (int)Math.Ceiling(p * done.Count) - 1)];
        return new LoadReport(done.Count, byStatus.GetValueOrDefault((int)HttpStatusCode.OK), byStatus, elapsed,
            Percentile(0.50), Percentile(0.90), Percentile(0.99), done.Count == 0 ? 0 : done[^1], statuses.Count(s => s == -1), perSecond);
    }

    public string ToMarkdownRow(string scenario, int concurrency) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {scenario} | {concurrency} | {Completed} | {Succeeded} | {RequestsPerSecond:F0} | {P50Ms:F2} | {P90Ms:F2} | {P99Ms:F2} | {MaxMs:F1} |");

    public const string MarkdownHeader =
        "| scenario | concurrency | requests | 200 OK | req/s | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|";
}
