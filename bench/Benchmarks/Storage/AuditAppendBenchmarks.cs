using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Storage.Sql;

namespace WorkloadFederation.Benchmarks.Storage;

/// <summary>
/// Audit append throughput per event, in batches of the writer's default size (500), on a table that grows through
/// the whole run: the store's append (one prepared statement per batch) against the multi-row <c>VALUES</c> append
/// it replaced, reproduced below as the baseline, on the same store in the same run. The reported time is per
/// event (<c>OperationsPerInvoke</c>), so events/s = 1e9 / mean ns. PostgreSQL runs only when WIF_BENCH_POSTGRES
/// holds a connection string to a scratch database.
///   WIF_BENCH_POSTGRES='Host=127.0.0.1;...' dotnet run -c Release --project bench/Benchmarks -- --filter '*AuditAppendBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class AuditAppendBenchmarks
{
    private const int BatchSize = 500;
    private static readonly DateTimeOffset T0 = new(2026, 12, 8, 1, 0, 0, TimeSpan.Zero);
    private BenchStore _bench = null!;
    private List<AuditEvent> _batch = null!;

    [ParamsSource(nameof(Dialects))]
    public string Dialect { get; set; } = "sqlite";

    public static IEnumerable<string> Dialects => BenchStore.Dialects;

    [GlobalSetup]
    public void Setup()
    {
        _bench = BenchStore.Open(Dialect);

        // What an accepted exchange records: every column but the credential filled, realistic lengths.
        _batch = Enumerable.Range(0, BatchSize)
            .Select(i => new AuditEvent(
                T0.AddMilliseconds(i), "token.issued", "acme.example.com", "allowed", "issued",
                PrincipalId: "sp-7f3a9c", TrustId: "tr-19be20", ClientId: "tr-19be20@acme.example.com", ClientIp: "127.0.0.1",
                Subject: "repo:acme/infra:environment:production:" + i.ToString(CultureInfo.InvariantCulture),
                Detail: "roles=deployer,reader"))
            .ToList();
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize, Description = "multi-row VALUES, 200 rows a statement (before)")]
    public Task MultiRowValues() => LegacyAppendAsync(_batch);

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "store append: one prepared statement (after)")]
    public Task PreparedAppend() => _bench.Store.AppendAsync(_batch, CancellationToken.None);

    /// <summary>The append as it was before: fresh SQL text and 12 named parameters per row, 200 rows a statement.</summary>
    private async Task LegacyAppendAsync(IReadOnlyList<AuditEvent> events)
    {
        const string prefix = "INSERT INTO audit_events (tenant, occurred_at, event_type, outcome, reason, principal_id, credential_id, "
            + "trust_id, client_id, client_ip, subject, detail) VALUES ";
        var dialect = ((SqlFederationStore)_bench.Store).SqlDialect;
        using var writer = await dialect.EnterWriterAsync(CancellationToken.None);
        await using var connection = await dialect.OpenAsync(CancellationToken.None);
        await using var transaction = await dialect.BeginWriteAsync(connection, CancellationToken.None);
        await dialect.LockAuditAppendAsync(connection, transaction, CancellationToken.None);
        for (var start = 0; start < events.Count; start += 200)
        {
            var count = Math.Min(200, events.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder(prefix);
            for (var i = 0; i < count; i++)
            {
                var e = events[start + i];
                var p = "a" + i.ToString(CultureInfo.InvariantCulture) + "_";
                sql.Append(i == 0 ? "(" : ", (");
                object?[] values =
                [
                    e.Tenant, dialect.ToDb(e.Time), e.Type, e.Outcome, e.Reason, e.PrincipalId, e.CredentialId, e.TrustId,
                    e.ClientId, e.ClientIp, e.Subject, e.Detail,
                ];
                for (var v = 0; v < values.Length; v++)
                {
                    var name = p + v.ToString(CultureInfo.InvariantCulture);
                    sql.Append(v == 0 ? "@" : ", @").Append(name);
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = "@" + name;
                    parameter.Value = values[v] ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }

                sql.Append(')');
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(15));
    }
}
