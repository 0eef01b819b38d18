namespace WorkloadFederation.Client.Tokens;

/// <summary>
/// Caches the access token and renews it before it expires: from <c>expires_in − min(renewBefore, lifetime / 2)</c>
/// on, the next caller starts one renewal and every concurrent caller awaits that same request (one in flight).
/// When a renewal fails while the cached token is still valid, the cached token is served and the next call tries
/// again; once it has expired, the failure is raised to every waiting caller.
/// </summary>
internal sealed class CachingTokenSource : IAccessTokenSource, IDisposable
{
    private readonly ITokenAcquirer _acquirer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _renewBefore;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private Entry? _current;
    private Task<Entry>? _inFlight;

    public CachingTokenSource(ITokenAcquirer acquirer, TimeProvider time, TimeSpan renewBefore)
    {
        _acquirer = acquirer;
        _time = time;
        _renewBefore = renewBefore < TimeSpan.Zero ? TimeSpan.Zero : renewBefore;
    }

    public bool CanRenew => true;

    /// <summary>Requests sent to the token endpoint so far (for diagnostics and tests).</summary>
    public int Acquisitions => Volatile.Read(ref _acquisitions);

    private int _acquisitions;

    public async ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var now = _time.GetUtcNow();
        var current = Volatile.Read(ref _current);
        if (current is not null && now < current.RenewAt)
        {
            Telemetry.ClientTelemetry.CacheHits.Add(1);
            return current.Token;
        }

        Task<Entry> renewal;
        lock (_gate)
        {
            current = _current;
            if (current is not null && now < current.RenewAt)
            {
                return current.Token;
            }

            renewal = _inFlight ??= RenewAsync();
        }

        try
        {
            return (await renewal.WaitAsync(cancellationToken).ConfigureAwait(false)).Token;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && current is not null && _time.GetUtcNow() < current.Token.ExpiresAt)
        {
            // Renewal failed but the cached token is still valid: keep serving it; the next call retries.
            return current.Token;
        }
    }

    public void Invalidate(AccessToken rejected)
    {
        lock (_gate)
        {
            if (_current is not null && ReferenceEquals(_current.Token, rejected))
            {
                _current = null;
            }
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        (_acquirer as IDisposable)?.Dispose();
    }

    private async Task<Entry> RenewAsync()
    {
        // Leave the lock before any work: the caller stores this task as the one in flight.
        await Task.Yield();
        try
        {
            Interlocked.Increment(ref _acquisitions);
            var response = await _acquirer.AcquireAsync(_disposed.Token).ConfigureAwait(false);
            var obtained = _time.GetUtcNow();
            var lifetime = TimeSpan.FromSeconds(response.ExpiresIn);
            var margin = _renewBefore < lifetime / 2 ? _renewBefore : lifetime / 2;
            var entry = new Entry(new AccessToken(response.AccessToken, obtained + lifetime, obtained, response), obtained + lifetime - margin);
            lock (_gate)
            {
                _current = entry;
            }

            return entry;
        }
        finally
        {
            lock (_gate)
            {
                _inFlight = null;
            }
        }
    }

    private sealed record Entry(AccessToken Token, DateTimeOffset RenewAt);
}
