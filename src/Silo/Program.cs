using WorkloadFederation.Silo.Hosting;

return await NodeProgram.RunAsync(args);
