using EmbeddedIdp.Realm;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace EmbeddedIdp.Server;

/// <summary>
/// In front of OpenIddict on the protocol endpoints: answers a wrong method (405) or a non-form body (415) the way
/// Keycloak's JAX-RS resources do, caps request bodies, and turns a request the framework cannot even read
/// (oversized body, malformed form) into RFC 6749's <c>invalid_request</c> instead of a 500.
/// </summary>
public sealed class OAuthRequestGuard(RequestDelegate next, RealmModel realm, ILogger<OAuthRequestGuard> logger)
{
    // Client-credentials requests are a few hundred bytes; Keycloak also limits parameter sizes.
    private const long MaxBodyBytes = 64 * 1024;

    // The method each endpoint accepts, and whether it only consumes forms (Keycloak's @POST/@GET and @Consumes).
    private readonly Dictionary<string, (string Method, bool FormOnly)> _endpoints = new(StringComparer.Ordinal)
    {
        ["/" + Issuer.Path(realm, "protocol/openid-connect/token")] = (HttpMethods.Post, true),
        ["/" + Issuer.Path(realm, "protocol/openid-connect/revoke")] = (HttpMethods.Post, true),
        ["/" + Issuer.Path(realm, "protocol/openid-connect/token/introspect")] = (HttpMethods.Post, false),
        ["/" + Issuer.Path(realm, "protocol/openid-connect/certs")] = (HttpMethods.Get, false),
        ["/" + Issuer.Path(realm, ".well-known/openid-configuration")] = (HttpMethods.Get, false),
    };

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/realms"))
        {
            await next(context);
            return;
        }

        if (_endpoints.TryGetValue(context.Request.Path.Value!.TrimEnd('/'), out var endpoint) && Refuse(context, endpoint) is { } refusal)
        {
            await refusal;
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
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "The request could not be read (too large or malformed).");
        }
    }

    // Keycloak's error handler writes JAX-RS's own message as the error ("HTTP 405 Method Not Allowed"), with no description.
    private static Task? Refuse(HttpContext context, (string Method, bool FormOnly) endpoint)
    {
        var method = context.Request.Method;
        var allowed = HttpMethods.Equals(method, endpoint.Method) || (endpoint.Method == HttpMethods.Get && HttpMethods.IsHead(method));
        if (!allowed && !HttpMethods.IsOptions(method))
        {
            context.Response.Headers.Allow = $"{endpoint.Method}, OPTIONS";
            return WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "HTTP 405 Method Not Allowed", description: null);
        }

        if (endpoint.FormOnly && allowed && !IsUrlEncodedForm(context.Request))
        {
            return WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, "HTTP 415 Unsupported Media Type", description: null);
        }

        return null;
    }

    private static bool IsUrlEncodedForm(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static Task WriteErrorAsync(HttpContext context, int status, string error, string? description)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        var body = new Dictionary<string, string> { ["error"] = error };
        if (description is not null)
        {
            body["error_description"] = description;
        }

        return context.Response.WriteAsJsonAsync(body);
    }
}
