using System.Diagnostics;
using System.Text;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Silo.Tests.Cluster;

/// <summary>
/// A real silo process (<c>dotnet WorkloadFederation.Silo.dll</c>, started as API.md says) on 127.0.0.1 with its own
/// data directory; <see cref="KillAsync"/> ends it with SIGKILL.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(120);
    private readonly StringBuilder _log = new();
    private readonly Process _process;

    private SiloProcess(Process process, Uri baseUrl, string dataDir)
    {
        _process = process;
        BaseUrl = baseUrl;
        DataDir = dataDir;
    }

    public Uri BaseUrl { get; }

    public string DataDir { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a silo with <paramref name="args"/> (after <c>--urls</c> and <c>--data-dir</c>) and waits for <c>/readyz</c>.</summary>
    public static async Task<SiloProcess> StartAsync(string dataDir, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(RepoPaths.Root, "src", "Silo", "bin", configuration, "net10.0", "WorkloadFederation.Silo.dll");
        var baseUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        foreach (var arg in new[] { dll, "--urls", baseUrl.ToString().TrimEnd('/'), "--data-dir", dataDir }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var silo = new SiloProcess(Process.Start(start)!, baseUrl, dataDir);
        silo._process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        await silo.WaitReadyAsync();
        return silo;
    }

    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartBound;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {_process.ExitCode} before it was ready:\n{Tail()}");
            }

            try
            {
                if ((await http.GetAsync(new Uri(BaseUrl, "readyz"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or slow while starting.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the silo was not ready within {StartBound.TotalSeconds} s:\n{Tail()}");
            }

            await Task.Delay(200);
        }
    }

    private string Tail()
    {
        var text = Log;
        return text.Length > 4000 ? text[^4000..] : text;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
