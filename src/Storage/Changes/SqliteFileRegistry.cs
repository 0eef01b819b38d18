namespace WorkloadFederation.Storage.Changes;

/// <summary>
/// Process-wide state per SQLite file: one writer gate (SQLite allows one writer; queuing in-process avoids
/// busy-waiting on the file lock) and the change signals of every store instance open on that file, so a commit
/// through any instance of this process wakes all of them.
/// </summary>
internal static class SqliteFileRegistry
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);

    /// <summary>Registers an instance on <paramref name="fullPath"/>; dispose the result to unregister.</summary>
    public static Registration Register(string fullPath, ChangeSignal signal)
    {
        lock (Gate)
        {
            if (!Entries.TryGetValue(fullPath, out var entry))
            {
                entry = new Entry();
                Entries.Add(fullPath, entry);
            }

            entry.Signals.Add(signal);
            return new Registration(fullPath, entry, signal);
        }
    }

    private static void Unregister(string fullPath, Entry entry, ChangeSignal signal)
    {
        lock (Gate)
        {
            entry.Signals.Remove(signal);
            if (entry.Signals.Count == 0 && Entries.TryGetValue(fullPath, out var current) && current == entry)
            {
                Entries.Remove(fullPath);
            }
        }
    }

    internal sealed class Entry
    {
        public SemaphoreSlim Writer { get; } = new(1, 1);

        public List<ChangeSignal> Signals { get; } = [];
    }

    /// <summary>One instance's membership.</summary>
    internal sealed class Registration(string fullPath, Entry entry, ChangeSignal signal) : IDisposable
    {
        private int _disposed;

        public SemaphoreSlim Writer => entry.Writer;

        /// <summary>Wakes every instance open on the file.</summary>
        public void PulseAll()
        {
            ChangeSignal[] signals;
            lock (Gate)
            {
                signals = [.. entry.Signals];
            }

            foreach (var s in signals)
            {
                s.Pulse();
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Unregister(fullPath, entry, signal);
            }
        }
    }
}
