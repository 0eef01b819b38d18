using System.Globalization;

namespace WorkloadFederation.LoadDriver;

/// <summary>Command-line options of the load driver. Every run is bounded by a request count AND a duration.</summary>
internal sealed record LoadOptions(
    string Scenario,
    Uri Server,
    string DataDirectory,
    int Requests,
    int Concurrency,
    TimeSpan MaxDuration,
    int Warmup)
{
    public const int MaxRequests = 200_000;
    public const int MaxConcurrency = 512;
    public static readonly TimeSpan MaxAllowedDuration = TimeSpan.FromMinutes(10);

    public static string Usage =>
        """
        usage: dotnet run -c Release --project bench/LoadDriver -- <exchange|client-credentials|client-assertion> [options]
          --server URL         node base URL, loopback only (default http://127.0.0.1:5080)
          --data-dir DIR       the node's data dir, for bootstrap-admin.json (default ./data)
          --requests N         timed requests, 1..200000 (default 20000)
          --concurrency N      requests in flight, 1..512 (default 32)
          --duration SECONDS   stop after this long even if requests remain, 1..600 (default 120)
          --warmup N           untimed requests first (default 500)
        """;

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("exchange" or "client-credentials" or AssertionScenario.Name))
        {
            throw new ArgumentException("the first argument must be a scenario: exchange, client-credentials or client-assertion");
        }

        var server = new Uri("http://127.0.0.1:5080");
        var dataDir = "./data";
        int requests = 20_000, concurrency = 32, warmup = 500;
        var duration = TimeSpan.FromSeconds(120);
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--server": server = new Uri(value); break;
                case "--data-dir": dataDir = value; break;
                case "--requests": requests = Bounded(args[i], value, 1, MaxRequests); break;
                case "--concurrency": concurrency = Bounded(args[i], value, 1, MaxConcurrency); break;
                case "--duration": duration = TimeSpan.FromSeconds(Bounded(args[i], value, 1, (int)MaxAllowedDuration.TotalSeconds)); break;
                case "--warmup": warmup = Bounded(args[i], value, 0, 10_000); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }

            i++;
        }

        // Load is only ever sent to this machine (the workplace forbids any other target).
        if (!server.IsLoopback)
        {
            throw new ArgumentException("--server must be a loopback address (127.0.0.0/8, localhost or [::1])");
        }

        return new LoadOptions(args[0], server, dataDir, requests, concurrency, duration, warmup);
    }

    private static int Bounded(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new ArgumentException($"{name} must be a whole number from {min} to {max}");
        }

        return n;
    }
}
