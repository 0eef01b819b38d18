using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace WorkloadFederation.Cli.Tests.EndToEnd;

/// <summary>
/// A real node killed with SIGKILL under token load: what it loses of the audit log is bounded by the flush interval
/// (<c>Audit:FlushInterval</c>, default 1 s) — no more decisions are missing than were answered in one such interval,
/// and the store holds no more events than decisions were made (plus those in flight at the kill).
/// </summary>
public sealed class AuditCrashTests(ITestOutputHelper output)
{
    private const string AuditFileName = "workload-federation.db";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    // Scheduling slack between the node recording an event and this process seeing the response.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Node_KilledUnderLoad_LosesAtMostTheDecisionsOfTheLastFlushInterval()
    {
        var node = new RealNode { ExtraArguments = ["--RateLimits:Enabled=false", "--Logging:LogLevel:Default=Warning"] };
        await node.InitializeAsync();
        try
        {
            var before = CountAuditRows(node.DataDir);
            using var http = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
            var clock = Stopwatch.StartNew();
            var answeredAt = new List<double>();
            long sent = 0;
            using var stopLoad = new CancellationTokenSource();

            async Task LoopAsync()
            {
                while (!stopLoad.IsCancellationRequested && Interlocked.Increment(ref sent) <= 50_000)
                {
                    try
                    {
                        using var response = await http.PostAsync("auth/v1/token", new FormUrlEncodedContent(new Dictionary<string, string>
                        {
                            ["grant_type"] = "client_credentials",
                            ["client_id"] = node.AdminClientId,
                            ["client_secret"] = node.AdminSecret,
                        }), stopLoad.Token);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            lock (answeredAt)
                            {
                                answeredAt.Add(clock.Elapsed.TotalSeconds);
                            }
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        return; // the node is gone
                    }
                }
            }

            var loops = Enumerable.Range(0, 8).Select(_ => Task.Run(LoopAsync)).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(4));
            var killedAt = clock.Elapsed.TotalSeconds;
            node.KillNow();
            await stopLoad.CancelAsync();
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(30));

            var stored = CountAuditRows(node.DataDir) - before;
            double[] answered;
            lock (answeredAt)
            {
                answered = [.. answeredAt];
            }

            // What may be lost is what was recorded within one flush interval: either the last one before the kill,
            // or — had the store stalled, when back-pressure holds new requests — the interval before the stall.
            // So the events missing (answered, not stored) never exceed the answers of the busiest such window.
            var window = (FlushInterval + Slack).TotalSeconds;
            Array.Sort(answered);
            var busiestWindow = 0;
            for (int first = 0, last = 0; last < answered.Length; last++)
            {
                while (answered[last] - answered[first] > window)
                {
                    first++;
                }

                busiestWindow = Math.Max(busiestWindow, last - first + 1);
            }

            var missing = Math.Max(0, answered.Length - stored);
            output.WriteLine(
                $"answered {answered.Length}, stored {stored}, missing {missing}, busiest {window} s window {busiestWindow}, "
                + $"answered within {window} s before the kill {answered.Count(t => t >= killedAt - window)}");
            Assert.True(answered.Length > 100, $"too little load to tell anything ({answered.Length} answers)");
            Assert.True(missing <= busiestWindow, $"{missing} answered decisions not stored, more than one flush interval's {busiestWindow}");
            // No more than the answered decisions plus those in flight at the kill (one per loop).
            Assert.True(stored <= answered.Length + loops.Length, $"{stored} events stored for {answered.Length} answered decisions");
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    private static long CountAuditRows(string dataDir)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDir, AuditFileName),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM audit_events WHERE event_type = 'token.issued'";
        return (long)command.ExecuteScalar()!;
    }
}
