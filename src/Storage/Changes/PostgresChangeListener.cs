using Microsoft.Extensions.Logging;
using Npgsql;

namespace WorkloadFederation.Storage.Changes;

/// <summary>
/// Holds a dedicated connection that LISTENs on <see cref="Channel"/> and pulses a <see cref="ChangeSignal"/> on
/// every notification. Reconnects with a bounded back-off when the connection drops, and pulses on every
/// (re)connect because notifications sent while it was not listening are lost (readers re-read the version).
/// </summary>
internal sealed partial class PostgresChangeListener : IAsyncDisposable
{
    /// <summary>The notification channel the store's writes notify.</summary>
    public const string Channel = "wif_changes";

    /// <summary>The application name of the listening connection (visible in <c>pg_stat_activity</c>).</summary>
    public const string ApplicationName = "wif-change-listener";

    private static readonly TimeSpan IdleProbe = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly ChangeSignal _signal;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private Task? _loop;
    private int _connects;

    public PostgresChangeListener(string connectionString, ChangeSignal signal, TimeProvider timeProvider, ILogger logger)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = ApplicationName,
        };
        _connectionString = builder.ConnectionString;
        _signal = signal;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>How many times the listener has established LISTEN (for tests and diagnostics).</summary>
    public int Connects => Volatile.Read(ref _connects);

    /// <summary>Starts the listener if needed and waits (at most <paramref name="timeout"/>) until it first listens.</summary>
    public async Task EnsureListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _loop ??= Task.Run(RunAsync);
        }

        if (_firstListen.Task.IsCompleted || (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan))
        {
            return;
        }

        try
        {
            await _firstListen.Task.WaitAsync(timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The database is unreachable for now; the caller's wait simply times out and it polls again.
        }
    }

    private async Task RunAsync()
    {
        var backoff = FirstBackoff;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += (_, _) => _signal.Pulse();
                await connection.OpenAsync(token).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand("LISTEN " + Channel, connection))
                {
                    await listen.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                }

                // Pulse before announcing readiness: whoever waited for readiness then sees the pulse latched.
                _signal.Pulse();
                Interlocked.Increment(ref _connects);
                _firstListen.TrySetResult();
                backoff = FirstBackoff;
                Log.Listening(_logger, Channel);

                while (!token.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(IdleProbe, token).ConfigureAwait(false))
                    {
                        // Idle: probe so that a silently dropped connection is noticed.
                        await using var probe = new NpgsqlCommand("SELECT 1", connection);
                        await probe.ExecuteScalarAsync(token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.ListenerFailed(_logger, ex.GetType().Name, backoff.TotalMilliseconds, ex);
                _signal.Pulse();
                try
                {
                    await Task.Delay(backoff, _timeProvider, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            loop = _loop;
        }

        if (loop is not null)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "Listening for store changes on channel {Channel}")]
        public static partial void Listening(ILogger logger, string channel);

        [LoggerMessage(EventId = 7102, Level = LogLevel.Warning,
            Message = "Store change listener lost its connection ({ErrorType}); reconnecting in {BackoffMs} ms")]
        public static partial void ListenerFailed(ILogger logger, string errorType, double backoffMs, Exception exception);
    }
}
