using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.Text;
using WorkloadFederation.Gateway.Telemetry;

namespace WorkloadFederation.Gateway.Problems;

/// <summary>
/// The last line: anything unexpected becomes a 500 problem without details. Kestrel's own request errors
/// (<see cref="BadHttpRequestException"/>: body too large, malformed request) keep their 4xx status. Tests assert that
/// no bad input ever reaches the 500 branch (<see cref="GatewayTelemetry.UnhandledErrorCount"/>).
/// </summary>
internal static partial class GlobalExceptionHandler
{
    /// <summary>Adds the handler to the pipeline.</summary>
    public static IApplicationBuilder UseGatewayExceptionHandler(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = HandleAsync,
            SuppressDiagnosticsCallback = _ => true,
        });

    private static Task HandleAsync(HttpContext context)
    {
        var feature = context.Features.Get<IExceptionHandlerFeature>();
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        // Request framing errors (a chunk size that overflows among them) reach here as BadHttpRequestException: the one
        // body reader (JsonBodyReader, also under FormBody) wraps a failed read so. The caller's fault: 400/413, debug.
        // Any other IOException is the node's own (store, disk) and stays a 500 below.
        if (feature?.Error is BadHttpRequestException bad)
        {
            Log.BadRequest(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("WorkloadFederation.Gateway.Problems"),
                bad.StatusCode, context.Request.Method, DisplayText.Escape(feature.Path ?? string.Empty));
            var error = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new AdminError(bad.StatusCode, ProblemResults.Codes.PayloadTooLarge, "Payload too large.", "The request body is too large.")
                : new AdminError(bad.StatusCode, ProblemResults.Codes.BadRequest, "Bad request.", "The request is malformed.");
            return ProblemResults.WriteAsync(context, error);
        }

        if (feature?.Error is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
            return Task.CompletedTask;
        }

        var services = context.RequestServices;
        services.GetRequiredService<GatewayTelemetry>().UnhandledError();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("WorkloadFederation.Gateway.Problems");
        // The exception type and route only: an exception message may carry request content.
        Log.Unhandled(logger, feature?.Error.GetType().FullName ?? "unknown", context.Request.Method, DisplayText.Escape(feature?.Path ?? string.Empty));
        return ProblemResults.WriteAsync(context, new AdminError(
            StatusCodes.Status500InternalServerError, ProblemResults.Codes.InternalError, "Internal error.",
            "The request could not be completed."));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.Unhandled, Level = LogLevel.Error, Message = "Unhandled {ExceptionType} on {Method} {Path}")]
        public static partial void Unhandled(ILogger logger, string exceptionType, string method, string path);

        [LoggerMessage(EventId = LogEventIds.BadRequestBody, Level = LogLevel.Debug, Message = "Refused an unreadable request ({Status}) on {Method} {Path}")]
        public static partial void BadRequest(ILogger logger, int status, string method, string path);
    }
}
