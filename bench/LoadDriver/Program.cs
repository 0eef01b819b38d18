// The HTTP load driver is written in a later commit; this entry point keeps the project buildable.
Console.Error.WriteLine("usage: dotnet run -c Release --project bench/LoadDriver -- <scenario> [options]");
return 2;
