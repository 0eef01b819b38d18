using System.Net;
using WorkloadFederation.Cli.Output;
using WorkloadFederation.Client.Errors;

namespace WorkloadFederation.Cli.Hosting;

/// <summary>Runs a command's handler and turns every failure into a one-line error and a documented exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(CliConsole console, Func<Task<int>> handler)
    {
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (CliInputException ex)
        {
            console.Error(ex.Message);
            return ex.IsUsage ? ExitCodes.Usage : ExitCodes.Configuration;
        }
        catch (WifConfigurationException ex)
        {
            console.Error(ex.Message);
            return ExitCodes.Configuration;
        }
        catch (WifPlatformTokenException ex)
        {
            console.Error(ex.Message);
            return ExitCodes.Configuration;
        }
        catch (WifTokenRequestException ex)
        {
            console.Error(ex.Message);
            // An OAuth refusal (400/401 with an error code) is an authentication failure; anything else (5xx, 429,
            // a 404 or an HTML page from something that is not the node) means the server is not answering as one.
            return ex.Error is not null && (int)ex.StatusCode < 500 && ex.StatusCode != HttpStatusCode.TooManyRequests
                ? ExitCodes.AuthenticationFailed
                : ExitCodes.Unavailable;
        }
        catch (WifApiException ex)
        {
            console.Error(ex.Message);
            return ex.StatusCode switch
            {
                HttpStatusCode.Unauthorized => ExitCodes.AuthenticationFailed,
                HttpStatusCode.TooManyRequests => ExitCodes.Unavailable,
                >= HttpStatusCode.InternalServerError => ExitCodes.Unavailable,
                _ => ExitCodes.Refused,
            };
        }
        catch (WifTransportException ex)
        {
            console.Error(ex.Message);
            return ExitCodes.Unavailable;
        }
        catch (OperationCanceledException)
        {
            console.Error("cancelled");
            return ExitCodes.Unavailable;
        }
        catch (Exception ex)
        {
            // A bug: the type says where; the message of an unexpected exception is not shown (it might carry input).
            console.Error($"internal error ({ex.GetType().Name}); please report it");
            return ExitCodes.Internal;
        }
    }
}
