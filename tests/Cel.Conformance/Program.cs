Console.Error.WriteLine("usage: dotnet run --project tests/Cel.Conformance -- <file-or-folder>...");
return 2;
