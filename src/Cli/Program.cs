Console.Error.WriteLine("usage: wif <command>");
return 2;
