using WorkloadFederation.Gateway.Hosting;

return await NodeProgram.RunAsync(args);
