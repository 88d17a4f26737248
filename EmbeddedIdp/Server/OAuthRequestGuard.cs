using Microsoft.AspNetCore.Http.Features;

namespace EmbeddedIdp.Server;

/// <summary>
/// Caps request bodies on the protocol endpoints and turns a request the framework cannot even read
/// (oversized body, malformed form) into RFC 6749's <c>invalid_request</c> instead of a 500.
/// </summary>
public sealed class OAuthRequestGuard(RequestDelegate next, ILogger<OAuthRequestGuard> logger)
{
    // Client-credentials requests are a few hundred bytes; Keycloak also limits parameter sizes.
    private const long MaxBodyBytes = 64 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/realms"))
        {
            await next(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            await next(context);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or InvalidDataException && !context.Response.HasStarted)
        {
            logger.LogInformation("Rejected an unreadable request to {Path}: {Reason}", context.Request.Path, ex.Message);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new Dictionary<string, string>
            {
                ["error"] = "invalid_request",
                ["error_description"] = "The request could not be read (too large or malformed).",
            });
        }
    }
}
