using BenchmarkDotNet.Running;

// Every benchmark class in this assembly, chosen with --filter, e.g.
//   dotnet run -c Release --project bench/Benchmarks -- --filter '*Cel*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
